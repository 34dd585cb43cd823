import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../src/store/migrations.js';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { createRecordStore } from '../../src/store/record-store.js';

describe('the collation and derived-parameter migration (v6)', () => {
  it('drops the Encounter patient rows of a store written before it; patient search still finds by subject', async () => {
    const db = await openEmbeddedDatabase(undefined);
    try {
      await migrate(db, MIGRATIONS.filter((m) => m.version < 6));
      await db.query(
        `INSERT INTO resources (resource_type, id, version_id, last_updated, content) VALUES
           ('Encounter', 'e1', 1, '2024-03-01T10:00:00Z', '{"resourceType":"Encounter","id":"e1","subject":{"reference":"Patient/p1"}}'::jsonb),
           ('Encounter', 'e2', 1, '2024-03-01T10:00:00Z', '{"resourceType":"Encounter","id":"e2","subject":{"reference":"Group/p1"}}'::jsonb)`,
      );
      await db.query(
        `INSERT INTO search_index (resource_type, resource_id, param, kind, system, value) VALUES
           ('Encounter', 'e1', 'subject', 'reference', 'Patient', 'p1'),
           ('Encounter', 'e1', 'patient', 'reference', 'Patient', 'p1'),
           ('Encounter', 'e2', 'subject', 'reference', 'Group', 'p1')`,
      );
      const store = await createRecordStore(db);
      const { rows } = await db.query<{ resource_id: string; param: string }>(
        'SELECT resource_id, param FROM search_index ORDER BY resource_id, param',
      );
      expect(rows).toEqual([
        { resource_id: 'e1', param: 'subject' },
        { resource_id: 'e2', param: 'subject' },
      ]);
      const found = async (param: string, reference: string) =>
        (await store.search('Encounter', { criteria: [{ param, values: [{ type: 'reference', reference }] }], count: 10, offset: 0 })).resources
          .map((r) => r.id)
          .sort();
      expect(await found('patient', 'Patient/p1')).toEqual(['e1']);
      expect(await found('patient', 'p1')).toEqual(['e1']);
      expect(await found('patient', 'Group/p1')).toEqual([]);
      expect(await found('subject', 'p1')).toEqual(['e1', 'e2']);
      const { rows: collations } = await db.query<{ collation_name: string | null }>(
        `SELECT collation_name FROM information_schema.columns WHERE table_name = 'resources' AND column_name = 'id'`,
      );
      expect(collations[0]?.collation_name).toBe('C');
    } finally {
      await db.close();
    }
  });
});
