import type { Bundle } from '@medplum/fhirtypes';
import type { SqlExecutor } from './sql.js';
import type { ApplyInput, MessageLogEntry, RejectedInput, ResourceVersionRef } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Claim (sender, controlId) for this message by writing its `applied` log row first. Returns false — and
 * writes nothing — when that key was already applied. A concurrent claim of the same key waits here until
 * the other transaction ends, so a message can never be applied twice.
 */
export async function claimMessage(tx: SqlExecutor, id: string, input: ApplyInput): Promise<boolean> {
  const { source } = input;
  const { rowCount } = await tx.query(
    `INSERT INTO message_log
       (id, channel_id, sender, control_id, message_type, event_time, received_at, status, raw, bundle,
        unmapped, warnings)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, 'applied', $8, $9::jsonb, $10::jsonb, $11::jsonb)
     ON CONFLICT (sender, control_id)
       WHERE status = 'applied' AND sender IS NOT NULL AND control_id IS NOT NULL
       DO NOTHING`,
    [
      id,
      source.channelId,
      source.sender,
      source.controlId,
      source.messageType,
      isoOrNull(source.eventTime),
      requireIso(source.receivedAt, 'receivedAt'),
      input.raw,
      JSON.stringify(input.bundle),
      JSON.stringify(input.unmapped),
      JSON.stringify(input.warnings),
    ],
  );
  return rowCount === 1;
}

/** The id of the applied message with this (sender, controlId), if any. */
export async function findAppliedMessageId(
  tx: SqlExecutor,
  sender: string,
  controlId: string,
): Promise<string | undefined> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id::text AS id FROM message_log WHERE sender = $1 AND control_id = $2 AND status = 'applied'`,
    [sender, controlId],
  );
  return rows[0]?.id;
}

export async function recordVersions(
  tx: SqlExecutor,
  id: string,
  versions: readonly ResourceVersionRef[],
): Promise<void> {
  await tx.query('UPDATE message_log SET versions = $2::jsonb WHERE id = $1', [id, JSON.stringify(versions)]);
}

export async function insertRejected(db: SqlExecutor, id: string, input: RejectedInput): Promise<void> {
  await db.query(
    `INSERT INTO message_log (id, channel_id, sender, control_id, received_at, status, raw, error)
     VALUES ($1, $2, $3, $4, $5::timestamptz, 'rejected', $6, $7)`,
    [
      id,
      input.channelId,
      input.sender ?? null,
      input.controlId ?? null,
      requireIso(input.receivedAt, 'receivedAt'),
      input.raw,
      input.error,
    ],
  );
}

interface MessageRow {
  [column: string]: unknown;
  id: string;
  channel_id: string;
  sender: string | null;
  control_id: string | null;
  message_type: string | null;
  received_at: string;
  status: MessageLogEntry['status'];
  raw: string;
  bundle: Bundle | null;
  error: string | null;
  versions: ResourceVersionRef[] | null;
}

export async function readMessage(db: SqlExecutor, id: string): Promise<MessageLogEntry | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<MessageRow>(
    `SELECT id::text AS id, channel_id, sender, control_id, message_type,
            to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at,
            status, raw, bundle, error, versions
       FROM message_log WHERE id = $1::uuid`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    channelId: row.channel_id,
    ...(row.sender !== null ? { sender: row.sender } : {}),
    ...(row.control_id !== null ? { controlId: row.control_id } : {}),
    ...(row.message_type !== null ? { messageType: row.message_type } : {}),
    receivedAt: row.received_at,
    status: row.status,
    raw: row.raw,
    ...(row.bundle !== null ? { bundle: row.bundle } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    versions: row.versions ?? [],
  };
}

/** An ISO 8601 instant (UTC, milliseconds) for a date-time text; null when absent or unparseable. */
export function isoOrNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? null : new Date(millis).toISOString();
}

/** As isoOrNull, but a missing or unparseable value is a TypeError naming the field. */
export function requireIso(text: string, field: string): string {
  const iso = isoOrNull(text);
  if (iso === null) throw new TypeError(`${field} "${text}" is not an ISO 8601 date-time.`);
  return iso;
}
