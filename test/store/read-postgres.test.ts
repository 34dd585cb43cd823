import { randomUUID } from 'node:crypto';
import { afterAll, describe, it } from 'vitest';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { describeRecordStoreReadConformance } from './record-store-read.conformance.js';

const url = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL record store read tests');

if (!url) {
  describe.skip(skippedTitle('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL record store reads'), () => {
    it('runs the RecordStore read conformance suite on PostgreSQL', () => undefined);
  });
} else {
  const databaseUrl = url;
  /** a fresh schema for this run, dropped at the end */
  const schema = `junction_read_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

  afterAll(async () => {
    const admin = await openPostgresDatabase(databaseUrl, { poolSize: 1 });
    try {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.close();
    }
  });

  describeRecordStoreReadConformance('PostgreSQL', async (now) => {
    const db = await openPostgresDatabase(databaseUrl, { schema, poolSize: 4 });
    return { store: await createRecordStore(db, { now }), close: () => db.close() };
  });
}
