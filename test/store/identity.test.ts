import { afterAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../src/store/migrations.js';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { dropSchema, freshSchema } from '../support/postgres-schema.js';
import { describeIdentityConformance } from './identity.conformance.js';
import { IdentityHarness, localSystem, NHS, nhsNumber, RGT } from './fixtures/identity-harness.js';

describeIdentityConformance('PGlite in memory', async () => {
  const db = await openEmbeddedDatabase(undefined);
  return { store: await createRecordStore(db), close: () => db.close() };
});

describe('the identity migration', () => {
  it('indexes the identifiers and references of records stored before it', async () => {
    const db = await openEmbeddedDatabase(undefined);
    try {
      await migrate(db, MIGRATIONS.filter((m) => m.version < 3));
      const nhs = nhsNumber();
      const patient = { resourceType: 'Patient', id: 'old-patient', identifier: [{ system: NHS, value: nhs }, { system: localSystem('RGT'), value: 'OLD1' }, { value: 'no-system' }] };
      const encounter = { resourceType: 'Encounter', id: 'old-encounter', status: 'finished', subject: { reference: 'Patient/old-patient' }, location: [{ location: { reference: 'Location/ward' } }] };
      for (const resource of [patient, encounter]) {
        await db.query(
          `INSERT INTO resources (resource_type, id, version_id, last_updated, content) VALUES ($1, $2, 1, now(), $3::jsonb)`,
          [resource.resourceType, resource.id, JSON.stringify(resource)],
        );
      }
      const store = await createRecordStore(db);
      const { rows: identifiers } = await db.query('SELECT system, value, patient_id FROM person_identifier ORDER BY system');
      expect(identifiers).toEqual([
        { system: NHS, value: nhs, patient_id: 'old-patient' },
        { system: localSystem('RGT'), value: 'OLD1', patient_id: 'old-patient' },
      ]);
      const { rows: references } = await db.query('SELECT resource_id, target_type, target_id FROM resource_reference ORDER BY target_type');
      expect(references).toEqual([
        { resource_id: 'old-encounter', target_type: 'Location', target_id: 'ward' },
        { resource_id: 'old-encounter', target_type: 'Patient', target_id: 'old-patient' },
      ]);
      // a new message for the person reaches the stored record, not a new one
      const h = new IdentityHarness(() => store);
      await h.send(RGT, { nhsNumber: nhs, mrn: 'NEW1', visitNumber: 'V1' });
      expect((await h.onePatient(localSystem('RGT'), 'NEW1')).id).toBe('old-patient');
    } finally {
      await db.close();
    }
  }, 60_000);
});

const url = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL identity scenarios');
if (!url) {
  describe.skip(skippedTitle('JUNCTION_TEST_DATABASE_URL', 'PostgreSQL identity scenarios'), () => {
    it('runs the identity scenarios on PostgreSQL', () => undefined);
  });
} else {
  const databaseUrl = url;
  /** a fresh schema for this run, dropped at the end */
  const schema = freshSchema('junction_identity');
  afterAll(() => dropSchema(databaseUrl, schema));
  describeIdentityConformance('PostgreSQL', async () => {
    const db = await openPostgresDatabase(databaseUrl, { schema, poolSize: 4 });
    return { store: await createRecordStore(db), close: () => db.close() };
  });
}
