/**
 * The local (embedded) Transport: a journal table in the embedded database, dispatched in process.
 *
 * publish is one INSERT and resolves after its commit — the point at which the engine may ACK.
 * Delivery is at least once: messages a crashed process left in a handler are delivered again,
 * with their attempt count kept, when the next transport is created over the same database.
 */
import type { SqlDatabase } from '../store/sql.js';
import { JournalAppender } from './journal-appender.js';
import { ensureJournalSchema } from './journal-schema.js';
import {
  STAGES,
  countByStage,
  isJournalId,
  recoverInflight,
  resendParked,
  selectParked,
} from './journal-queries.js';
import { StageDispatcher, type DispatcherSettings } from './stage-dispatcher.js';
import type {
  BatchStageHandler,
  ConsumeOptions,
  Consumer,
  ParkedMessage,
  StageHandler,
  StageName,
  StageStats,
  Transport,
} from './transport.js';

export interface LocalTransportOptions {
  /** longest sleep of an idle dispatcher that has a retry waiting or a database error to retry; default 1000 */
  readonly pollIntervalMs?: number;
  /** time source for publish, retry and park times; default real time */
  readonly clock?: () => Date;
  /** dispatcher errors (database unavailable …); default: a process warning */
  readonly onError?: (error: unknown) => void;
}

export const CONSUME_DEFAULTS = { concurrency: 1, maxAttempts: 5, backoffMs: 200, maxBackoffMs: 30_000 } as const;

const DEFAULT_PARKED_LIMIT = 100;

function defaultOnError(error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(`local transport dispatcher: ${text}`, 'JunctionTransportWarning');
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`consume option ${name} must be a whole number of at least 1, got ${String(value)}`);
  }
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`consume option ${name} must be a number of milliseconds ≥ 0, got ${String(value)}`);
  }
  return value;
}

export function resolveConsumeOptions<P>(options: ConsumeOptions<P> = {}): DispatcherSettings {
  const settings = {
    concurrency: positiveInteger('concurrency', options.concurrency, CONSUME_DEFAULTS.concurrency),
    maxAttempts: positiveInteger('maxAttempts', options.maxAttempts, CONSUME_DEFAULTS.maxAttempts),
    backoffMs: nonNegative('backoffMs', options.backoffMs, CONSUME_DEFAULTS.backoffMs),
    maxBackoffMs: nonNegative('maxBackoffMs', options.maxBackoffMs, CONSUME_DEFAULTS.maxBackoffMs),
  };
  if (options.batch === undefined) return settings;
  const batch = {
    handler: options.batch.handler as BatchStageHandler<unknown>,
    maxMessages: positiveInteger('batch.maxMessages', options.batch.maxMessages, 1),
  };
  return { ...settings, batch };
}

function assertStage(stage: string): asserts stage is StageName {
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new RangeError(`unknown stage "${stage}": expected one of ${STAGES.join(', ')}`);
  }
}

/**
 * Create the journal if needed, return crashed deliveries to ready, and hand back the transport.
 * The transport does not own `db`: close() stops dispatching but leaves the database open.
 */
export async function createLocalTransport(db: SqlDatabase, options: LocalTransportOptions = {}): Promise<Transport> {
  await ensureJournalSchema(db);
  await recoverInflight(db);
  return new LocalTransport(db, {
    clock: options.clock ?? (() => new Date()),
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    onError: options.onError ?? defaultOnError,
  });
}

interface LocalDeps {
  readonly clock: () => Date;
  readonly pollIntervalMs: number;
  readonly onError: (error: unknown) => void;
}

class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  private readonly dispatchers = new Map<StageName, StageDispatcher>();
  private readonly appender: JournalAppender;
  private closed = false;

  constructor(
    private readonly db: SqlDatabase,
    private readonly deps: LocalDeps,
  ) {
    this.appender = new JournalAppender(db, deps.clock);
  }

  async publish<P>(stage: StageName, key: string, payload: P): Promise<void> {
    this.assertOpen('publish');
    assertStage(stage);
    if (typeof key !== 'string') throw new TypeError(`publish to ${stage}: key must be a string`);
    await this.appender.append(stage, key, payload);
    this.dispatchers.get(stage)?.wake();
  }

  consume<P>(stage: StageName, handler: StageHandler<P>, options?: ConsumeOptions<P>): Consumer {
    this.assertOpen('consume');
    assertStage(stage);
    if (this.dispatchers.has(stage)) {
      throw new Error(`stage ${stage} already has a consumer on this transport; stop it before consuming again`);
    }
    const dispatcher = new StageDispatcher(stage, handler as StageHandler<unknown>, resolveConsumeOptions(options), {
      db: this.db,
      ...this.deps,
    });
    this.dispatchers.set(stage, dispatcher);
    dispatcher.start();
    let stopped: Promise<void> | null = null;
    return {
      stop: () => {
        stopped ??= dispatcher.stop().finally(() => {
          if (this.dispatchers.get(stage) === dispatcher) this.dispatchers.delete(stage);
        });
        return stopped;
      },
    };
  }

  async listParked(stage?: StageName, limit = DEFAULT_PARKED_LIMIT): Promise<ParkedMessage[]> {
    if (stage !== undefined) assertStage(stage);
    const rows = Math.max(0, Math.floor(limit));
    return selectParked(this.db, stage, rows);
  }

  async resend(id: string): Promise<boolean> {
    this.assertOpen('resend');
    if (!isJournalId(id)) return false;
    const stage = await resendParked(this.db, id, this.deps.clock());
    if (stage === null) return false;
    this.dispatchers.get(stage)?.wake();
    return true;
  }

  stats(): Promise<StageStats[]> {
    return countByStage(this.db);
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopping = [...this.dispatchers.values()].map((dispatcher) => dispatcher.stop());
    this.dispatchers.clear();
    await Promise.all(stopping);
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new Error(`local transport is closed: cannot ${operation}`);
  }
}
