/**
 * Write new versions of several resources in one statement: the current row (inserted for version 1, else
 * updated — the caller holds the row lock), the history row, the search index and the literal references.
 * Data-modifying CTEs see the same snapshot, so each step is written not to depend on another's order.
 */
import { literalReferences } from './patient-content.js';
import { searchIndexRows } from './search-index.js';
import type { SqlExecutor } from './sql.js';
import type { Resource } from '@medplum/fhirtypes';

/** A resource as the store keeps it: always with an id. */
export type StoredResource = Resource & { id: string };

export interface RowWrite {
  readonly resourceType: string;
  readonly id: string;
  /** 1: a new resource (inserted); more: the next version of a row the caller has locked */
  readonly versionId: number;
  /** ISO */
  readonly lastUpdated: string;
  /** the stored content, meta.versionId and meta.lastUpdated set */
  readonly content: StoredResource;
  /** ISO, or null: kept as the resource's event time when newer */
  readonly eventTime: string | null;
}

const WRITE_ROWS = `WITH input AS (
    SELECT t.resource_type, t.id, t.version_id, t.last_updated, t.content::jsonb AS content, t.event_time
      FROM unnest($1::text[], $2::text[], $3::integer[], $4::timestamptz[], $5::text[], $6::timestamptz[])
        AS t(resource_type, id, version_id, last_updated, content, event_time)
  ),
  refs AS (
    SELECT * FROM unnest($16::text[], $17::text[], $18::text[], $19::text[]) AS t(resource_type, resource_id, target_type, target_id)
  ),
  created AS (
    INSERT INTO resources (resource_type, id, version_id, last_updated, content, event_time)
    SELECT resource_type, id, version_id, last_updated, content, event_time FROM input WHERE version_id = 1
    ON CONFLICT (resource_type, id) DO NOTHING
    RETURNING resource_type, id
  ),
  updated AS (
    UPDATE resources r
       SET version_id = i.version_id, last_updated = i.last_updated, content = i.content,
           event_time = GREATEST(r.event_time, i.event_time)
      FROM input i
     WHERE i.version_id > 1 AND r.resource_type = i.resource_type AND r.id = i.id
    RETURNING 1
  ),
  history AS (
    INSERT INTO resource_history (resource_type, id, version_id, last_updated, content, message_id)
    SELECT i.resource_type, i.id, i.version_id, i.last_updated, i.content, $7::uuid FROM input i
     WHERE i.version_id > 1 OR EXISTS (SELECT 1 FROM created c WHERE c.resource_type = i.resource_type AND c.id = i.id)
  ),
  old_index AS (
    DELETE FROM search_index s USING input i
     WHERE i.version_id > 1 AND s.resource_type = i.resource_type AND s.resource_id = i.id
  ),
  new_index AS (
    INSERT INTO search_index (resource_type, resource_id, param, kind, system, value, exact, range_start, range_end)
    SELECT * FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                         $15::timestamptz[], $20::timestamptz[])
  ),
  old_refs AS (
    DELETE FROM resource_reference x USING input i
     WHERE i.version_id > 1 AND x.resource_type = i.resource_type AND x.resource_id = i.id
  ),
  new_refs AS (
    INSERT INTO resource_reference (resource_type, resource_id, target_type, target_id) SELECT * FROM refs
  )
  SELECT (SELECT count(*) FROM created)::integer AS created, (SELECT count(*) FROM updated)::integer AS updated`;

/** Write the rows; returns how many version-1 rows were inserted (fewer: another transaction created one). */
export async function writeRows(tx: SqlExecutor, messageId: string, rows: readonly RowWrite[]): Promise<number> {
  const index: (string | null)[][] = Array.from({ length: 9 }, () => []);
  const refs: string[][] = [[], [], [], []];
  for (const row of rows) {
    for (const entry of searchIndexRows(row.content)) entry.forEach((value, column) => index[column]?.push(value));
    for (const [targetType, targetId] of literalReferences(row.content)) {
      refs[0]?.push(row.resourceType);
      refs[1]?.push(row.id);
      refs[2]?.push(targetType);
      refs[3]?.push(targetId);
    }
  }
  const { rows: result } = await tx.query<{ created: number; updated: number }>(WRITE_ROWS, [
    rows.map((r) => r.resourceType),
    rows.map((r) => r.id),
    rows.map((r) => r.versionId),
    rows.map((r) => r.lastUpdated),
    rows.map((r) => JSON.stringify(r.content)),
    rows.map((r) => r.eventTime),
    messageId,
    ...index.slice(0, 8),
    ...refs,
    index[8],
  ]);
  return Number(result[0]?.created ?? 0);
}
