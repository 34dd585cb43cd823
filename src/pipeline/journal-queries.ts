/**
 * The SQL the local transport runs against its journal table (see journal-schema.ts).
 * Every statement takes its values as parameters; timestamps come from the transport's clock.
 */
import type { SqlExecutor, SqlRow } from '../store/sql.js';
import type { ParkedMessage, StageMessage, StageName, StageStats } from './transport.js';

export const STAGES: readonly StageName[] = ['inbound', 'records', 'changed'];

/** A journal row as handed to a handler: `attempt` is the number of this delivery. */
export type JournalMessage = StageMessage<unknown>;

interface MessageRow extends SqlRow {
  id: string | number | bigint;
  stage: string;
  key: string;
  payload: unknown;
  attempt: number | string;
  published_at: Date | string;
}

interface ParkedRow extends MessageRow {
  reason: string | null;
  parked_at: Date | string;
}

const MESSAGE_COLUMNS = 'id, stage, key, payload, attempt, published_at';

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toMessage(row: MessageRow): JournalMessage {
  return {
    id: String(row.id),
    stage: row.stage as StageName,
    key: row.key,
    payload: row.payload,
    attempt: Number(row.attempt),
    publishedAt: toDate(row.published_at),
  };
}

/** Journal ids are bigserial; anything else cannot name a message. */
export function isJournalId(id: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(id);
}

/**
 * Claim up to `limit` deliverable messages of a stage and mark them in flight (attempt + 1), in one statement.
 * Deliverable: ready, due, and the head of its key — no earlier unfinished (ready, waiting or in flight)
 * message of the same key. Parked messages do not hold back their key.
 */
export async function claimDue(db: SqlExecutor, stage: StageName, now: Date, limit: number): Promise<JournalMessage[]> {
  const { rows } = await db.query<MessageRow>(
    `WITH due AS (
       SELECT c.id FROM pipeline_journal AS c
        WHERE c.stage = $1 AND c.state = 'ready' AND c.available_at <= $2::timestamptz
          AND NOT EXISTS (
            SELECT 1 FROM pipeline_journal AS e
             WHERE e.stage = $1 AND e.key = c.key AND e.id < c.id AND e.state <> 'parked')
        ORDER BY c.id
        LIMIT $3::int)
     UPDATE pipeline_journal AS j
        SET state = 'inflight', attempt = j.attempt + 1
       FROM due
      WHERE j.id = due.id AND j.state = 'ready'
      RETURNING j.id, j.stage, j.key, j.payload, j.attempt, j.published_at`,
    [stage, now, limit],
  );
  return rows.map(toMessage).sort((a, b) => compareIds(a.id, b.id));
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Earliest future retry time among a stage's ready messages, or null when none is waiting. */
export async function nextDueAt(db: SqlExecutor, stage: StageName, now: Date): Promise<Date | null> {
  const { rows } = await db.query<{ due: Date | string | null }>(
    `SELECT min(available_at) AS due FROM pipeline_journal
      WHERE stage = $1 AND state = 'ready' AND available_at > $2::timestamptz`,
    [stage, now],
  );
  const due = rows[0]?.due;
  return due == null ? null : toDate(due);
}

/** Acked messages are done: delete them so the journal only holds unfinished work. */
export async function deleteMessages(db: SqlExecutor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`DELETE FROM pipeline_journal WHERE id = ANY($1::bigint[])`, [ids]);
}

export async function scheduleRetry(db: SqlExecutor, id: string, availableAt: Date): Promise<void> {
  await db.query(
    `UPDATE pipeline_journal SET state = 'ready', available_at = $2::timestamptz
      WHERE id = $1::bigint AND state = 'inflight'`,
    [id, availableAt],
  );
}

/** `deliveries`: how many times the message reached a handler (its attempt count as listed when parked). */
export async function parkMessage(db: SqlExecutor, id: string, reason: string, deliveries: number, now: Date): Promise<void> {
  await db.query(
    `UPDATE pipeline_journal SET state = 'parked', reason = $2, attempt = $3::int, parked_at = $4::timestamptz
      WHERE id = $1::bigint AND state = 'inflight'`,
    [id, reason, deliveries, now],
  );
}

/** After a crash: messages left in a handler go back to ready, keeping their attempt count. */
export async function recoverInflight(db: SqlExecutor): Promise<number> {
  const result = await db.query(`UPDATE pipeline_journal SET state = 'ready' WHERE state = 'inflight'`);
  return result.rowCount;
}

export async function selectParked(db: SqlExecutor, stage: StageName | undefined, limit: number): Promise<ParkedMessage[]> {
  const { rows } = await db.query<ParkedRow>(
    `SELECT ${MESSAGE_COLUMNS}, reason, parked_at FROM pipeline_journal
      WHERE state = 'parked' AND ($1::text IS NULL OR stage = $1::text)
      ORDER BY parked_at, id
      LIMIT $2::int`,
    [stage ?? null, limit],
  );
  return rows.map((row) => ({ ...toMessage(row), reason: row.reason ?? '', parkedAt: toDate(row.parked_at) }));
}

/**
 * Move a parked message to the end of its stage: a new row (so a new, higher id) with attempt reset,
 * in one statement. Returns the stage, or null when no parked message has that id.
 */
export async function resendParked(db: SqlExecutor, id: string, now: Date): Promise<StageName | null> {
  const { rows } = await db.query<{ stage: string }>(
    `WITH moved AS (
       DELETE FROM pipeline_journal WHERE id = $1::bigint AND state = 'parked'
       RETURNING stage, key, payload, published_at)
     INSERT INTO pipeline_journal (stage, key, payload, attempt, state, available_at, published_at)
     SELECT stage, key, payload, 0, 'ready', $2::timestamptz, published_at FROM moved
     RETURNING stage`,
    [id, now],
  );
  const stage = rows[0]?.stage;
  return stage === undefined ? null : (stage as StageName);
}

export async function countByStage(db: SqlExecutor): Promise<StageStats[]> {
  const { rows } = await db.query<{ stage: string; state: string; n: number | string }>(
    `SELECT stage, state, count(*)::int AS n FROM pipeline_journal GROUP BY stage, state`,
  );
  return STAGES.map((stage) => {
    const count = (state: string): number => Number(rows.find((r) => r.stage === stage && r.state === state)?.n ?? 0);
    return { stage, ready: count('ready'), inFlight: count('inflight'), parked: count('parked') };
  });
}
