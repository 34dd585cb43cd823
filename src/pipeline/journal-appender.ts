/**
 * Group commit for publish: publishes that arrive while an INSERT is being committed wait and go
 * into the next INSERT together (one statement, one commit), and each resolves after that commit.
 * A publish that arrives when nothing is being written starts its INSERT at once, so a lone publish
 * waits for nothing but its own commit.
 */
import type { SqlExecutor } from '../store/sql.js';
import type { StageName } from './transport.js';

interface PendingPublish {
  readonly stage: StageName;
  readonly key: string;
  readonly json: string;
  resolve(): void;
  reject(error: unknown): void;
}

/** most rows in one INSERT */
const MAX_BATCH = 1000;

export class JournalAppender {
  private queue: PendingPublish[] = [];
  private writing = false;

  constructor(
    private readonly db: SqlExecutor,
    private readonly clock: () => Date,
  ) {}

  /** Resolves once the message is committed to the journal. */
  append(stage: StageName, key: string, payload: unknown): Promise<void> {
    const json = JSON.stringify(payload ?? null);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ stage, key, json, resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await insertBatch(this.db, batch, this.clock());
          for (const publish of batch) publish.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          else await this.writeOneByOne(batch);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** A failed batch is retried message by message, so one unstorable payload fails only its own publish. */
  private async writeOneByOne(batch: readonly PendingPublish[]): Promise<void> {
    for (const publish of batch) {
      try {
        await insertBatch(this.db, [publish], this.clock());
        publish.resolve();
      } catch (error) {
        publish.reject(error);
      }
    }
  }
}

/** One INSERT for the whole batch; ids follow the batch order, so publish order is kept. */
async function insertBatch(db: SqlExecutor, batch: readonly PendingPublish[], now: Date): Promise<void> {
  if (batch.length === 1) {
    const [only] = batch as [PendingPublish];
    // ::text::jsonb keeps every driver from re-encoding the already-serialised JSON
    await db.query(
      `INSERT INTO pipeline_journal (stage, key, payload, attempt, state, available_at, published_at)
       VALUES ($1, $2, $3::text::jsonb, 0, 'ready', $4::timestamptz, $4::timestamptz)`,
      [only.stage, only.key, only.json, now],
    );
    return;
  }
  await db.query(
    `INSERT INTO pipeline_journal (stage, key, payload, attempt, state, available_at, published_at)
     SELECT u.stage, u.key, u.json::jsonb, 0, 'ready', $4::timestamptz, $4::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(stage, key, json, position)
      ORDER BY u.position`,
    [batch.map((p) => p.stage), batch.map((p) => p.key), batch.map((p) => p.json), now],
  );
}
