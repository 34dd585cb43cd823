/**
 * The in-process consumer of one stage of the local transport.
 *
 * One loop at a time talks to the journal: it records the outcomes of finished handlers
 * (delete on ack, retry or park on failure), then claims as many deliverable messages as
 * there are free handler slots, in one statement. It runs when woken (a publish in this
 * process, a handler finishing, a resend) or when a retry comes due; an idle embedded
 * dispatcher runs no query at all.
 */
import { AsyncResource } from 'node:async_hooks';
import type { SqlDatabase } from '../store/sql.js';
import { retryDelayMs, type BackoffPolicy } from './backoff.js';
import { claimDue, deleteMessages, nextDueAt, parkMessage, scheduleRetry, type JournalMessage } from './journal-queries.js';
import {
  UnrecoverableError,
  type BatchStageHandler,
  type MessageOutcome,
  type StageHandler,
  type StageMessage,
  type StageName,
} from './transport.js';

export interface DispatcherSettings extends BackoffPolicy {
  readonly concurrency: number;
  readonly maxAttempts: number;
  /** first deliveries go to this handler in batches (see ConsumeOptions.batch) */
  readonly batch?: { readonly handler: BatchStageHandler<unknown>; readonly maxMessages: number };
}

/** Run a batch handler; outcomes checked for count, a throw failing every message. */
export async function runBatch(
  handler: BatchStageHandler<unknown>,
  messages: readonly StageMessage<unknown>[],
): Promise<readonly MessageOutcome[]> {
  try {
    const outcomes = await handler(messages);
    if (outcomes.length === messages.length) return outcomes;
    throw new Error(`batch handler returned ${outcomes.length} outcomes for ${messages.length} messages`);
  } catch (error) {
    return messages.map(() => ({ ok: false, error }));
  }
}

export interface DispatcherDeps {
  readonly db: SqlDatabase;
  readonly clock: () => Date;
  /** longest sleep between checks; also the wait after a database error */
  readonly pollIntervalMs: number;
  readonly onError: (error: unknown) => void;
  readonly random?: () => number;
}

interface Failure {
  readonly message: JournalMessage;
  readonly error: unknown;
  /** claimed but never handed to the handler (so this claim is not a delivery) */
  readonly undelivered?: boolean;
}

const MAX_REASON_LENGTH = 2000;

export function describeFailure(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : `non-error thrown: ${safeString(error)}`;
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}…` : text;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}

export class StageDispatcher {
  private readonly active = new Map<string, Promise<void>>();
  /** handler calls (a message, or a batch of them) running: at most `concurrency` */
  private tasks = 0;
  private acked: string[] = [];
  private failed: Failure[] = [];
  /** epoch ms of the earliest known retry, or null */
  private nextDue: number | null = null;
  private dirty = true;
  private running: Promise<void> | null = null;
  private scheduled = false;
  private stopping = false;
  private failedLastRun = false;
  private timer: NodeJS.Timeout | null = null;
  /**
   * Runs the loop in the async context of consume(), not of whichever publish or handler woke it,
   * so handlers never inherit a caller's context (a request's, or an open transaction's).
   */
  private readonly startRun = AsyncResource.bind(() => {
    this.scheduled = false;
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = null;
      // a wake-up that arrived after the loop's last check but before this point would be lost otherwise
      if (this.dirty) this.schedule();
    });
  });

  constructor(
    private readonly stage: StageName,
    private readonly handler: StageHandler<unknown>,
    private readonly settings: DispatcherSettings,
    private readonly deps: DispatcherDeps,
  ) {}

  /** Start dispatching; learns about retries already waiting in the journal. */
  start(): void {
    this.dirty = true;
    this.nextDue = 0; // forces a look-up of waiting retries on the first run
    this.schedule();
  }

  /** Something may have become deliverable (publish, resend, handler finished). */
  wake(): void {
    this.dirty = true;
    this.schedule();
  }

  /** Stop claiming, wait for handlers in flight, record their outcomes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimer();
    // a claim in progress still delivers what it claimed; wait for that and every handler
    for (;;) {
      if (this.active.size > 0) await Promise.all(this.active.values());
      else if (this.scheduled) await new Promise((resolve) => setImmediate(resolve));
      else if (this.running) await this.running;
      else break;
    }
    try {
      await this.flushOutcomes();
    } catch (error) {
      this.deps.onError(error);
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate lets a burst of publishes land before one batched claim
    setImmediate(this.startRun);
  }

  private isDue(): boolean {
    return this.nextDue !== null && this.deps.clock().getTime() >= this.nextDue;
  }

  private async run(): Promise<void> {
    try {
      while (this.dirty || this.isDue()) {
        this.dirty = false;
        await this.flushOutcomes();
        const free = this.settings.concurrency - this.tasks;
        if (this.stopping || free <= 0) break; // a finishing handler wakes us again
        const perTask = this.settings.batch?.maxMessages ?? 1;
        const now = this.deps.clock();
        const retryCameDue = this.isDue();
        const messages = await claimDue(this.deps.db, this.stage, now, free * perTask);
        if (retryCameDue) {
          const due = await nextDueAt(this.deps.db, this.stage, now);
          this.nextDue = due === null ? null : due.getTime();
        }
        const deliverable = messages.filter((message) => this.deliverable(message));
        for (let at = 0; at < deliverable.length; at += perTask) this.deliver(deliverable.slice(at, at + perTask));
        if (messages.length === free * perTask) this.dirty = true; // there may be more
      }
      this.failedLastRun = false;
    } catch (error) {
      // retried by the timer after pollIntervalMs (armTimer), not at once: a database that is down is not hammered
      this.failedLastRun = true;
      this.deps.onError(error);
    } finally {
      this.armTimer();
    }
  }

  /** false for a message delivered too often: it is recorded as failed instead */
  private deliverable(message: JournalMessage): boolean {
    if (message.attempt <= this.settings.maxAttempts) return true;
    // delivered maxAttempts times without an outcome: the process stopped in the handler each time
    const error = new UnrecoverableError(
      `not acknowledged after ${message.attempt - 1} deliveries (the process stopped while handling it)`,
    );
    this.failed.push({ message, error, undelivered: true });
    this.dirty = true; // so this run records it
    return false;
  }

  /**
   * One task: first deliveries through the batch handler (when there is one), then the others one at a time
   * through the handler. Messages of one claim are heads of distinct keys, so their order does not matter.
   */
  private deliver(messages: readonly JournalMessage[]): void {
    const { batch } = this.settings;
    const batched = batch ? messages.filter((m) => m.attempt === 1) : [];
    const single = batch ? messages.filter((m) => m.attempt !== 1) : messages;
    this.tasks++;
    const handled = (async () => {
      try {
        if (batch && batched.length > 0) {
          const outcomes = await runBatch(batch.handler, batched);
          batched.forEach((message, i) => {
            const outcome = outcomes[i] as MessageOutcome;
            if (outcome.ok) this.acked.push(message.id);
            else this.failed.push({ message, error: outcome.error });
          });
        }
        for (const message of single) {
          try {
            await this.handler(message);
            this.acked.push(message.id);
          } catch (error) {
            this.failed.push({ message, error });
          }
        }
      } finally {
        this.tasks--;
        for (const message of messages) this.active.delete(message.id);
        this.wake();
      }
    })();
    for (const message of messages) this.active.set(message.id, handled);
  }

  /** Record finished handlers' outcomes. Outcomes that could not be written are kept for the next run. */
  private async flushOutcomes(): Promise<void> {
    if (this.acked.length > 0) {
      const ids = this.acked;
      this.acked = [];
      try {
        await deleteMessages(this.deps.db, ids);
      } catch (error) {
        this.acked = ids.concat(this.acked);
        throw error;
      }
    }
    while (this.failed.length > 0) {
      const failure = this.failed[0]!;
      await this.recordFailure(failure);
      this.failed.shift();
    }
  }

  private async recordFailure({ message, error, undelivered }: Failure): Promise<void> {
    const now = this.deps.clock();
    if (isUnrecoverable(error) || message.attempt >= this.settings.maxAttempts) {
      const deliveries = undelivered ? message.attempt - 1 : message.attempt;
      await parkMessage(this.deps.db, message.id, describeFailure(error), deliveries, now);
      return;
    }
    const delay = retryDelayMs(message.attempt, this.settings, this.deps.random);
    const due = now.getTime() + delay;
    await scheduleRetry(this.deps.db, message.id, new Date(due));
    this.nextDue = this.nextDue === null ? due : Math.min(this.nextDue, due);
  }

  private armTimer(): void {
    this.clearTimer();
    if (this.stopping) return;
    // with every slot busy a finishing handler wakes us; a timer would only spin
    if (!this.failedLastRun && this.tasks >= this.settings.concurrency) return;
    let delay = this.deps.pollIntervalMs;
    if (!this.failedLastRun && this.nextDue !== null) {
      delay = Math.min(delay, Math.max(0, this.nextDue - this.deps.clock().getTime()));
    }
    const polls = this.failedLastRun || this.deps.db.kind === 'server'; // another process may publish to a server database
    if (!polls && this.nextDue === null) return; // idle: nothing can become due without a wake-up
    this.timer = setTimeout(() => {
      this.timer = null;
      if (polls) this.dirty = true;
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
