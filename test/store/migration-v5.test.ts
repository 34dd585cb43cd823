import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../src/store/migrations.js';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { createRecordStore } from '../../src/store/record-store.js';

describe('the write-path migration (v5)', () => {
  it('drops the _id and _lastUpdated index rows of a store written before it; both are still searchable', async () => {
    const db = await openEmbeddedDatabase(undefined);
    try {
      await migrate(db, MIGRATIONS.filter((m) => m.version < 5));
      await db.query(
        `INSERT INTO resources (resource_type, id, version_id, last_updated, content)
         VALUES ('Patient', 'old', 1, '2024-03-01T10:00:00.123Z', '{"resourceType":"Patient","id":"old","gender":"male"}'::jsonb)`,
      );
      await db.query(
        `INSERT INTO search_index (resource_type, resource_id, param, kind, system, value, range_start, range_end) VALUES
           ('Patient', 'old', '_id', 'token', NULL, 'old', NULL, NULL),
           ('Patient', 'old', '_lastUpdated', 'date', NULL, NULL, '2024-03-01T10:00:00.123Z', '2024-03-01T10:00:00.124Z'),
           ('Patient', 'old', 'gender', 'token', 'http://hl7.org/fhir/administrative-gender', 'male', NULL, NULL)`,
      );
      const store = await createRecordStore(db);
      const { rows } = await db.query<{ param: string }>('SELECT param FROM search_index ORDER BY param');
      expect(rows).toEqual([{ param: 'gender' }]);
      const found = async (param: string, value: { type: 'token'; code: string } | { type: 'date'; prefix: 'eq'; value: string }) =>
        (await store.search('Patient', { criteria: [{ param, values: [value] }], count: 10, offset: 0 })).resources.map((r) => r.id);
      expect(await found('_id', { type: 'token', code: 'old' })).toEqual(['old']);
      expect(await found('_lastUpdated', { type: 'date', prefix: 'eq', value: '2024-03-01T10:00:00.123Z' })).toEqual(['old']);
      expect(await found('_lastUpdated', { type: 'date', prefix: 'eq', value: '2024-03-01T10:00:00.124Z' })).toEqual([]);
      expect(await found('_lastUpdated', { type: 'date', prefix: 'eq', value: '2024-03-01' })).toEqual(['old']);
      expect(await found('gender', { type: 'token', code: 'male' })).toEqual(['old']);
    } finally {
      await db.close();
    }
  });
});
