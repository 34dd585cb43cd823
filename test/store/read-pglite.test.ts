import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import { describeRecordStoreReadConformance } from './record-store-read.conformance.js';

describeRecordStoreReadConformance('PGlite in memory', async (now) => {
  const db = await openEmbeddedDatabase(undefined);
  return { store: await createRecordStore(db, { now }), close: () => db.close() };
});
