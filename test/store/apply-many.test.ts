import { afterAll, describe, it } from 'vitest';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { dropSchema, freshSchema } from '../support/postgres-schema.js';
import { describeApplyManyConformance } from './apply-many.conformance.js';

describeApplyManyConformance('PGlite in memory', async (now) => {
  const db = await openEmbeddedDatabase(undefined);
  return { store: await createRecordStore(db, now ? { now } : {}), db, close: () => db.close() };
});

const url = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL applyMany');
if (!url) {
  describe.skip(skippedTitle('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL applyMany'), () => {
    it('runs the applyMany suite on PostgreSQL', () => undefined);
  });
} else {
  const databaseUrl = url;
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(databaseUrl, schema);
  });
  describeApplyManyConformance('PostgreSQL', async (now) => {
    const schema = freshSchema('junction_apply_many');
    schemas.push(schema);
    const db = await openPostgresDatabase(databaseUrl, { schema, poolSize: 4 });
    return { store: await createRecordStore(db, now ? { now } : {}), db, close: () => db.close() };
  });
}
