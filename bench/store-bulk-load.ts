/**
 * Bulk loading for the PostgreSQL store benchmark: writes current versions straight into the store's tables,
 * using the store's own index extraction (search parameters, folded strings, references, identifiers), in
 * large multi-row statements. Much faster than one apply per bundle; it writes no message log or Provenance.
 * It follows the store's schema (v1–v5) and must change with it.
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import { literalReferences } from '../src/store/patient-content.js';
import { extractIndexEntries } from '../src/store/search-params.js';
import type { SqlDatabase } from '../src/store/sql.js';
import { foldForSearch } from '../src/store/text-normalise.js';

type Stored = Resource & { id: string };

export async function bulkInsert(db: SqlDatabase, resources: readonly Stored[], lastUpdated: string): Promise<void> {
  const stamped = resources.map((r) => ({ ...r, meta: { versionId: '1', lastUpdated } }) as Stored);
  const types = stamped.map((r) => r.resourceType);
  const ids = stamped.map((r) => r.id);
  const contents = stamped.map((r) => JSON.stringify(r));
  const index = { type: [] as string[], id: [] as string[], param: [] as string[], kind: [] as string[], system: [] as (string | null)[], value: [] as (string | null)[], exact: [] as (string | null)[], start: [] as (string | null)[], end: [] as (string | null)[] };
  const refs = { type: [] as string[], id: [] as string[], targetType: [] as string[], targetId: [] as string[] };
  const person = { system: [] as string[], value: [] as string[], patient: [] as string[] };
  for (const resource of stamped) {
    const seen = new Set<string>();
    for (const { param, entry } of extractIndexEntries(resource)) {
      const row: [string, string | null, string | null, string | null, string | null, string | null] =
        entry.kind === 'token'
          ? ['token', entry.system ?? null, entry.code, null, null, null]
          : entry.kind === 'string'
            ? ['string', null, foldForSearch(entry.value), entry.value, null, null]
            : entry.kind === 'reference'
              ? ['reference', entry.targetType ?? null, entry.targetId, null, null, null]
              : ['date', null, null, null, entry.start, entry.end];
      const key = JSON.stringify([param, ...row]);
      if (seen.has(key)) continue;
      seen.add(key);
      index.type.push(resource.resourceType);
      index.id.push(resource.id);
      index.param.push(param);
      index.kind.push(row[0]);
      index.system.push(row[1]);
      index.value.push(row[2]);
      index.exact.push(row[3]);
      index.start.push(row[4]);
      index.end.push(row[5]);
    }
    for (const [targetType, targetId] of literalReferences(resource)) {
      refs.type.push(resource.resourceType);
      refs.id.push(resource.id);
      refs.targetType.push(targetType);
      refs.targetId.push(targetId);
    }
    if (resource.resourceType === 'Patient') {
      for (const identifier of (resource as Patient).identifier ?? []) {
        if (identifier.system === undefined || identifier.value === undefined) continue;
        person.system.push(identifier.system);
        person.value.push(identifier.value);
        person.patient.push(resource.id);
      }
    }
  }
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO resources (resource_type, id, version_id, last_updated, content)
       SELECT t, i, 1, $4::timestamptz, c::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS x(t, i, c)`,
      [types, ids, contents, lastUpdated],
    );
    await tx.query(
      `INSERT INTO resource_history (resource_type, id, version_id, last_updated, content)
       SELECT t, i, 1, $4::timestamptz, c::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS x(t, i, c)`,
      [types, ids, contents, lastUpdated],
    );
    await tx.query(
      `INSERT INTO search_index (resource_type, resource_id, param, kind, system, value, exact, range_start, range_end)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::timestamptz[], $9::timestamptz[])`,
      [index.type, index.id, index.param, index.kind, index.system, index.value, index.exact, index.start, index.end],
    );
    await tx.query(
      `INSERT INTO resource_reference (resource_type, resource_id, target_type, target_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [refs.type, refs.id, refs.targetType, refs.targetId],
    );
    await tx.query(
      `INSERT INTO person_identifier (system, value, patient_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
      [person.system, person.value, person.patient],
    );
  });
}
