import { afterAll, describe, it } from 'vitest';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { dropSchema, freshSchema } from '../support/postgres-schema.js';
import { describeRecordStoreReadConformance } from './record-store-read.conformance.js';

const url = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL record store read tests');

if (!url) {
  describe.skip(skippedTitle('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL record store reads'), () => {
    it('runs the RecordStore read conformance suite on PostgreSQL', () => undefined);
  });
} else {
  const databaseUrl = url;
  /** a fresh schema for this run, dropped at the end */
  const schema = freshSchema('junction_read');
  afterAll(() => dropSchema(databaseUrl, schema));

  describeRecordStoreReadConformance('PostgreSQL', async (now) => {
    const db = await openPostgresDatabase(databaseUrl, { schema, poolSize: 4 });
    return { store: await createRecordStore(db, { now }), close: () => db.close() };
  });
}
