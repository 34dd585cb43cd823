/**
 * The local transport's journal: one table holding every stage message that is not yet done.
 * Acked messages are deleted, so the table only holds the backlog, messages in a handler,
 * messages waiting for a retry, and parked messages.
 *
 * Each statement is idempotent and runs on both PGlite and PostgreSQL.
 */
import type { SqlExecutor } from '../store/sql.js';

export const JOURNAL_TABLE = 'pipeline_journal';

export type JournalState = 'ready' | 'inflight' | 'parked';

export const JOURNAL_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS pipeline_journal (
     id            bigserial   PRIMARY KEY,
     stage         text        NOT NULL,
     key           text        NOT NULL,
     payload       jsonb       NOT NULL,
     -- deliveries started so far (0 until first handed to a handler)
     attempt       integer     NOT NULL DEFAULT 0,
     state         text        NOT NULL DEFAULT 'ready'
                   CONSTRAINT pipeline_journal_state_check CHECK (state IN ('ready', 'inflight', 'parked')),
     -- not delivered before this time (retry backoff)
     available_at  timestamptz NOT NULL,
     published_at  timestamptz NOT NULL,
     parked_at     timestamptz,
     reason        text
   )`,
  // dispatcher: oldest due ready messages of a stage, in id order
  `CREATE INDEX IF NOT EXISTS pipeline_journal_ready_idx
     ON pipeline_journal (stage, id) WHERE state = 'ready'`,
  // dispatcher: "is there an earlier unfinished message of this key?" (the head-of-key check)
  `CREATE INDEX IF NOT EXISTS pipeline_journal_key_idx
     ON pipeline_journal (stage, key, id) WHERE state <> 'parked'`,
  // listParked
  `CREATE INDEX IF NOT EXISTS pipeline_journal_parked_idx
     ON pipeline_journal (parked_at, id) WHERE state = 'parked'`,
];

/** Create the journal table and its indexes if missing. Safe to run on every start. */
export async function ensureJournalSchema(db: SqlExecutor): Promise<void> {
  for (const statement of JOURNAL_SCHEMA) await db.query(statement);
}
