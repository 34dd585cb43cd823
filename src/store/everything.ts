import type { Resource } from '@medplum/fhirtypes';
import { afterCursorSql, type CursorKeys, decodeCursor, encodeCursor, type KeyColumn, orderBySql } from './cursor.js';
import { StoreError } from './errors.js';
import type { SqlExecutor } from './sql.js';
import type { EverythingQuery, SearchResult } from './types.js';

/** Links that make two Patient records one person (a merge). */
const MERGE_LINKS = new Set(['replaces', 'replaced-by']);
/** merges of merges are followed this deep at most */
const MAX_MERGE_DEPTH = 16;

/** The requested Patient first, then the Patients it merged, then everything else by type and id. */
const ORDER: readonly KeyColumn[] = [
  { expr: 'f.grp', descending: false, sqlType: 'integer' },
  { expr: 'f.resource_type', descending: false, sqlType: 'text' },
  { expr: 'f.id', descending: false, sqlType: 'text' },
];

interface PatientLinks {
  [column: string]: unknown;
  id: string;
  link: { type?: string; other?: { reference?: string } }[] | null;
}

/**
 * `Patient/:id/$everything`: the Patient and every Patient record merged with it, every resource that
 * references one of them (and what references those, e.g. a Provenance of an Encounter), and the
 * resources all of those reference (Organizations, Practitioners, Locations …). Built on
 * `resource_reference` (every literal reference of every current version, kept by the write path). Undefined when no such
 * Patient exists. `since` keeps only resources whose current version was written at or after it.
 */
export async function readEverything(db: SqlExecutor, patientId: string, query: EverythingQuery): Promise<SearchResult | undefined> {
  if (!Number.isSafeInteger(query.count) || query.count < 0) {
    throw new StoreError(`$everything count must be a whole number of 0 or more, not ${String(query.count)}.`, 'invalid-paging');
  }
  const person = await mergedPatientIds(db, patientId);
  if (person === undefined) return undefined;

  const values: unknown[] = [person, patientId];
  const param = (value: unknown, cast = '') => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  const since = query.since === undefined ? '' : `WHERE r.last_updated >= ${param(query.since, '::timestamptz')}`;
  const signature = `everything:Patient/${patientId}`;
  const after =
    query.cursor === undefined ? '' : `WHERE ${afterCursorSql(ORDER, decodeCursor(query.cursor, signature, ORDER.length), param)}`;
  const limit = param(query.count, '::integer');
  const { rows } = await db.query<{ total: number; rows: { resource: Resource; keys: CursorKeys }[] }>(
    `WITH hop1 AS (
       SELECT rr.resource_type, rr.resource_id FROM resource_reference rr
        WHERE rr.target_type = 'Patient' AND rr.target_id = ANY($1::text[]) AND rr.resource_type <> 'Patient'
     ), hop2 AS (
       SELECT rr.resource_type, rr.resource_id FROM resource_reference rr
         JOIN hop1 h ON rr.target_type = h.resource_type AND rr.target_id = h.resource_id
        WHERE rr.resource_type <> 'Patient'
     ), compartment AS (
       SELECT 'Patient' AS resource_type, p.id AS resource_id FROM unnest($1::text[]) AS p(id)
       UNION SELECT resource_type, resource_id FROM hop1
       UNION SELECT resource_type, resource_id FROM hop2
     ), referenced AS (
       SELECT rr.target_type AS resource_type, rr.target_id AS resource_id FROM resource_reference rr
         JOIN compartment c ON rr.resource_type = c.resource_type AND rr.resource_id = c.resource_id
        WHERE rr.target_type <> 'Patient'
     ), wanted AS (
       SELECT * FROM compartment UNION SELECT * FROM referenced
     ), found AS (
       SELECT r.resource_type, r.id,
              CASE WHEN r.resource_type = 'Patient' AND r.id = $2 THEN 0 WHEN r.resource_type = 'Patient' THEN 1 ELSE 2 END AS grp
         FROM wanted w JOIN resources r ON r.resource_type = w.resource_type AND r.id = w.resource_id
         ${since}
     ), page AS (
       SELECT f.*, jsonb_build_array(${ORDER.map((c) => `${c.expr}::text`).join(', ')}) AS keys,
              row_number() OVER (ORDER BY ${orderBySql(ORDER)}) AS n
         FROM found f ${after}
        ORDER BY ${orderBySql(ORDER)} LIMIT ${limit} + 1
     )
     SELECT (SELECT count(*) FROM found)::integer AS total,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('resource', r.content, 'keys', page.keys) ORDER BY page.n), '[]'::jsonb)
               FROM page JOIN resources r ON r.resource_type = page.resource_type AND r.id = page.id) AS rows`,
    values,
  );
  const total = Number(rows[0]?.total ?? 0);
  const page = rows[0]?.rows ?? [];
  const shown = page.slice(0, query.count);
  const last = shown.at(-1);
  return {
    total,
    resources: shown.map((row) => row.resource),
    ...(page.length > query.count && last !== undefined ? { nextCursor: encodeCursor(signature, last.keys) } : {}),
  };
}

/**
 * The ids of every Patient record of this person: the Patient, and transitively those it is linked to by
 * a merge link in either direction. Undefined when the Patient does not exist.
 */
export async function mergedPatientIds(db: SqlExecutor, patientId: string): Promise<string[] | undefined> {
  const person = new Set<string>();
  let frontier = [patientId];
  for (let depth = 0; frontier.length > 0 && depth <= MAX_MERGE_DEPTH; depth++) {
    const { rows } = await db.query<PatientLinks>(
      `SELECT r.id, r.content->'link' AS link FROM resources r
        WHERE r.resource_type = 'Patient'
          AND r.id IN (SELECT unnest($1::text[])
                       UNION
                       SELECT rr.resource_id FROM resource_reference rr
                        WHERE rr.target_type = 'Patient' AND rr.target_id = ANY($1::text[]) AND rr.resource_type = 'Patient')`,
      [frontier],
    );
    if (depth === 0 && !rows.some((row) => row.id === patientId)) return undefined;
    const asked = new Set(frontier);
    for (const id of frontier) person.add(id);
    const next = new Set<string>();
    for (const row of rows) {
      const merged = mergeTargets(row.link);
      if (asked.has(row.id)) for (const id of merged) next.add(id);
      else if (merged.some((id) => asked.has(id))) next.add(row.id);
    }
    frontier = [...next].filter((id) => !person.has(id));
  }
  return [...person];
}

function mergeTargets(links: PatientLinks['link']): string[] {
  return (links ?? []).flatMap((link) => {
    const reference = link.other?.reference ?? '';
    const match = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
    return link.type !== undefined && MERGE_LINKS.has(link.type) && match?.[1] !== undefined ? [match[1]] : [];
  });
}
