import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { describeRecordStoreConformance } from './record-store.conformance.js';
import { describeSqlDatabaseConformance } from './sql-database.conformance.js';
import { integrationUrl, skippedTitle } from '../support/integration.js';

const url = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL record store tests');

if (!url) {
  describe.skip(skippedTitle('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL record store'), () => {
    it('runs the RecordStore conformance suite on PostgreSQL', () => undefined);
  });
} else {
  const databaseUrl = url;
  /** one fresh schema per test run, each suite in its own, all dropped at the end */
  const run = `junction_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const schemas: string[] = [];
  const schema = (suffix: string) => {
    const name = `${run}_${suffix}`;
    schemas.push(name);
    return name;
  };

  afterAll(async () => {
    const admin = await openPostgresDatabase(databaseUrl, { poolSize: 1 });
    try {
      for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    } finally {
      await admin.close();
    }
  });

  describeSqlDatabaseConformance('PostgreSQL', () => openPostgresDatabase(databaseUrl, { schema: schema('seam') }));

  describeRecordStoreConformance('PostgreSQL', async () => {
    const db = await openPostgresDatabase(databaseUrl, { schema: schema('store'), poolSize: 4 });
    return { store: await createRecordStore(db), close: () => db.close() };
  });

  describe('PostgreSQL migrations', () => {
    it('lets two processes migrate one schema at the same time, applying each version once', async () => {
      const name = schema('race');
      const dbs: SqlDatabase[] = await Promise.all([
        openPostgresDatabase(databaseUrl, { schema: name, poolSize: 2 }),
        openPostgresDatabase(databaseUrl, { schema: name, poolSize: 2 }),
      ]);
      try {
        const applied = await Promise.all(dbs.map((db) => migrate(db)));
        const versions = MIGRATIONS.map((m) => m.version);
        expect(applied.flat().sort((a, b) => a - b)).toEqual(versions);
        const { rows } = await dbs[0]!.query<{ version: number }>('SELECT version FROM junction_migrations ORDER BY version');
        expect(rows).toEqual(versions.map((version) => ({ version })));
        expect(await migrate(dbs[1]!)).toEqual([]);
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
      }
    });

    it('keeps each schema to itself through search_path', async () => {
      const db = await openPostgresDatabase(databaseUrl, { schema: schema('path'), poolSize: 3 });
      try {
        const { rows } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
        expect(rows).toEqual([{ schema: `${run}_path` }]);
        await expect(openPostgresDatabase(databaseUrl, { schema: 'bad"; DROP' })).rejects.toThrow(/schema name/);
      } finally {
        await db.close();
      }
    });
  });
}
