/**
 * Writing what a batch of messages decided, in two statements: lock the existing rows it changes (in (type, id)
 * order) and check nobody changed them since they were read, then one set-based statement writing every current
 * row, every history version, the search index and references of the changed resources, the identifiers the
 * batch indexed, and each message's log row. A row created, an identifier indexed or a message logged by a
 * concurrent transaction meanwhile makes the batch retry.
 */
import { IDENTITY_RACE } from './mpi.js';
import type { IndexedIdentifier } from './mpi-batch.js';
import { isoOrNull, requireIso } from './message-log.js';
import { literalReferences } from './patient-content.js';
import { searchIndexRows } from './search-index.js';
import type { SqlExecutor } from './sql.js';
import { StoreError } from './errors.js';
import type { ApplyInput, ResourceVersionRef } from './types.js';
import { race, rowKey, WRITE_RACE, type HeldRow } from './write-resource.js';
import type { RowWrite } from './write-rows.js';

/** One resource the batch changed: how it was read, and every version the batch gave it (oldest first). */
export interface ChangedResource {
  /** as read before the batch changed it; undefined when the batch creates it */
  readonly read: HeldRow | undefined;
  readonly versions: readonly { readonly row: RowWrite; readonly messageId: string }[];
  /** epoch ms: the newest event time of its versions, null when none had one */
  readonly eventTime: number | null;
}

export interface LoggedMessage {
  readonly id: string;
  readonly input: ApplyInput;
  readonly versions: readonly ResourceVersionRef[];
}

export interface BatchWrites {
  readonly changed: readonly ChangedResource[];
  /** identifiers nobody held when read (each must be inserted), and identifiers not asked about (inserted if free) */
  readonly identifiers: { readonly claimed: readonly IndexedIdentifier[]; readonly unasked: readonly IndexedIdentifier[] };
  readonly messages: readonly LoggedMessage[];
}

const LOCK_CHANGED = `SELECT r.resource_type, r.id, r.version_id, (extract(epoch FROM r.event_time) * 1000)::float8 AS event_ms
    FROM resources r JOIN unnest($1::text[], $2::text[]) AS k(resource_type, id)
      ON r.resource_type = k.resource_type AND r.id = k.id
   ORDER BY r.resource_type, r.id
     FOR UPDATE OF r`;

/**
 * Every set travels as one jsonb array of arrays (built by JSON.stringify, parsed once by the server), not as
 * text[] parameters: the driver's array escaping would cost more than the rest of the batch's client work.
 */
const WRITE_BATCH = `WITH input AS (
    SELECT e->>0 AS resource_type, e->>1 AS id, (e->>2)::integer AS version_id, (e->>3)::timestamptz AS last_updated,
           e->4 AS content, (e->>5)::timestamptz AS event_time, (e->>6)::boolean AS created, (e->>7)::uuid AS message_id
      FROM jsonb_array_elements($1::jsonb) AS e
  ),
  created AS (
    INSERT INTO resources (resource_type, id, version_id, last_updated, content, event_time)
    SELECT resource_type, id, version_id, last_updated, content, event_time FROM input WHERE created
    ON CONFLICT (resource_type, id) DO NOTHING
    RETURNING resource_type, id
  ),
  updated AS (
    UPDATE resources r
       SET version_id = i.version_id, last_updated = i.last_updated, content = i.content,
           event_time = GREATEST(r.event_time, i.event_time)
      FROM input i
     WHERE NOT i.created AND r.resource_type = i.resource_type AND r.id = i.id
    RETURNING 1
  ),
  older AS (
    SELECT e->>0 AS resource_type, e->>1 AS id, (e->>2)::integer AS version_id, (e->>3)::timestamptz AS last_updated,
           e->4 AS content, (e->>5)::uuid AS message_id
      FROM jsonb_array_elements($2::jsonb) AS e
  ),
  history AS (
    INSERT INTO resource_history (resource_type, id, version_id, last_updated, content, message_id)
    SELECT h.resource_type, h.id, h.version_id, h.last_updated, h.content, h.message_id
      FROM (SELECT resource_type, id, version_id, last_updated, content, message_id FROM input
            UNION ALL SELECT * FROM older) AS h
      JOIN input i ON i.resource_type = h.resource_type AND i.id = h.id
     WHERE NOT i.created OR EXISTS (SELECT 1 FROM created c WHERE c.resource_type = i.resource_type AND c.id = i.id)
  ),
  old_index AS (
    DELETE FROM search_index s USING input i
     WHERE NOT i.created AND s.resource_type = i.resource_type AND s.resource_id = i.id
  ),
  new_index AS (
    INSERT INTO search_index (resource_type, resource_id, param, kind, system, value, exact, range_start, range_end)
    SELECT e->>0, e->>1, e->>2, e->>3, e->>4, e->>5, e->>6, (e->>7)::timestamptz, (e->>8)::timestamptz
      FROM jsonb_array_elements($3::jsonb) AS e
  ),
  refs AS (
    SELECT e->>0 AS resource_type, e->>1 AS resource_id, e->>2 AS target_type, e->>3 AS target_id
      FROM jsonb_array_elements($4::jsonb) AS e
  ),
  old_refs AS (
    DELETE FROM resource_reference x USING input i
     WHERE NOT i.created AND x.resource_type = i.resource_type AND x.resource_id = i.id
  ),
  new_refs AS (
    INSERT INTO resource_reference (resource_type, resource_id, target_type, target_id) SELECT * FROM refs
  ),
  indexed AS (
    INSERT INTO person_identifier (system, value, patient_id)
    SELECT e->>0, e->>1, e->>2 FROM jsonb_array_elements($5::jsonb) AS e
    ON CONFLICT (system, value) DO NOTHING
    RETURNING 1
  ),
  indexed_unasked AS (
    INSERT INTO person_identifier (system, value, patient_id)
    SELECT e->>0, e->>1, e->>2 FROM jsonb_array_elements($6::jsonb) AS e
    ON CONFLICT (system, value) DO NOTHING
  ),
  logged AS (
    INSERT INTO message_log
      (id, channel_id, sender, control_id, message_type, event_time, received_at, status, raw, bundle, unmapped, warnings, versions)
    SELECT (e->>0)::uuid, e->>1, e->>2, e->>3, e->>4, (e->>5)::timestamptz, (e->>6)::timestamptz, 'applied', e->>7,
           e->8, e->9, e->10, e->11
      FROM jsonb_array_elements($7::jsonb) AS e
    ON CONFLICT (sender, control_id) WHERE status = 'applied' AND sender IS NOT NULL AND control_id IS NOT NULL
      DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM created)::integer AS created, (SELECT count(*) FROM indexed)::integer AS indexed,
         (SELECT count(*) FROM logged)::integer AS logged`;

/** Lock the existing rows the batch changes and check they are as read; then write everything. */
export async function flushBatch(tx: SqlExecutor, writes: BatchWrites): Promise<void> {
  const { changed, identifiers, messages } = writes;
  if (changed.length === 0 && identifiers.claimed.length === 0 && identifiers.unasked.length === 0 && messages.length === 0) return;
  await lockChanged(tx, changed);

  const current: unknown[] = [];
  const older: unknown[] = [];
  const index: unknown[] = [];
  const refs: unknown[] = [];
  for (const resource of changed) {
    const last = resource.versions[resource.versions.length - 1];
    if (last === undefined) continue;
    const { row } = last;
    const eventTime = resource.eventTime === null ? null : new Date(resource.eventTime).toISOString();
    current.push([row.resourceType, row.id, row.versionId, row.lastUpdated, row.content, eventTime, resource.read === undefined, last.messageId]);
    for (const { row: earlier, messageId } of resource.versions.slice(0, -1)) {
      older.push([earlier.resourceType, earlier.id, earlier.versionId, earlier.lastUpdated, earlier.content, messageId]);
    }
    for (const entry of searchIndexRows(row.content)) index.push(entry);
    for (const [targetType, targetId] of literalReferences(row.content)) refs.push([row.resourceType, row.id, targetType, targetId]);
  }
  const person = identifiers.claimed.map((i) => [i.system, i.value, i.patientId]);
  const unasked = identifiers.unasked.map((i) => [i.system, i.value, i.patientId]);
  const log = messages.map(({ id, input, versions }) => {
    const { source } = input;
    return [
      id,
      source.channelId,
      source.sender,
      source.controlId,
      source.messageType,
      isoOrNull(source.eventTime),
      requireIso(source.receivedAt, 'receivedAt'),
      input.raw,
      input.bundle,
      input.unmapped,
      input.warnings,
      versions,
    ];
  });
  const { rows } = await tx.query<{ created: number; indexed: number; logged: number }>(
    WRITE_BATCH,
    [current, older, index, refs, person, unasked, log].map((set) => JSON.stringify(set)),
  );
  const result = rows[0];
  const expectedCreated = changed.filter((c) => c.read === undefined).length;
  if (Number(result?.created) !== expectedCreated) {
    throw new StoreError('A resource this batch creates was created by a message applied at the same time; retry the batch.', WRITE_RACE);
  }
  if (Number(result?.logged) !== messages.length) {
    throw new StoreError('A message of this batch was applied at the same time by another transaction; retry the batch.', WRITE_RACE);
  }
  if (Number(result?.indexed) !== identifiers.claimed.length) {
    throw new StoreError('A patient identifier this batch indexes was indexed by a message applied at the same time; retry the batch.', IDENTITY_RACE);
  }
}

async function lockChanged(tx: SqlExecutor, changed: readonly ChangedResource[]): Promise<void> {
  const existing = changed.filter((c) => c.read !== undefined);
  if (existing.length === 0) return;
  const keys = existing.map((c) => c.versions[0]?.row as RowWrite);
  const { rows } = await tx.query<{ resource_type: string; id: string; version_id: number; event_ms: number | null }>(LOCK_CHANGED, [
    keys.map((k) => k.resourceType),
    keys.map((k) => k.id),
  ]);
  const locked = new Map(rows.map((r) => [rowKey(r.resource_type, r.id), r]));
  for (const c of existing) {
    const { resourceType, id } = c.versions[0]?.row as RowWrite;
    const now = locked.get(rowKey(resourceType, id));
    const eventMs = now?.event_ms === null || now?.event_ms === undefined ? null : Number(now.event_ms);
    if (now === undefined || Number(now.version_id) !== c.read?.versionId || eventMs !== c.read.eventTime) throw race(resourceType, id);
  }
}
