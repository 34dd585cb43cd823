/**
 * Runs deliveries through a handler: one key at a time and in delivery order, many keys at once up
 * to `concurrency`. A failing delivery is retried in place after a backoff, holding back its own key
 * only; after `maxAttempts`, or at once for UnrecoverableError, it is parked. Used by the AMQP
 * transport, where deliveries of one partition queue can belong to many keys.
 */
import { retryDelayMs } from './backoff.js';
import type { DispatcherSettings } from './stage-dispatcher.js';
import { describeFailure, runBatch } from './stage-dispatcher.js';
import { UnrecoverableError, type MessageOutcome, type StageHandler, type StageMessage } from './transport.js';

/** A first delivery waiting to join a batch; resolved with its outcome, or undefined when it was dropped. */
interface Waiting {
  readonly delivery: Delivery;
  readonly message: StageMessage;
  readonly resolve: (outcome: MessageOutcome | undefined) => void;
}

export interface Delivery {
  /** `attempt` is the number of the first handler call for this delivery */
  readonly message: StageMessage;
  /** the publisher's sequence number, to order messages published in the same millisecond */
  readonly sequence: number;
  /** false once the delivery can no longer be acked (its channel closed): it will come again, so drop it */
  alive(): boolean;
  ack(): void;
  /** make the message durable in parking, then ack it; rejects if that could not be done */
  park(reason: string, attempts: number): Promise<void>;
  /** called once when the scheduler is done with the delivery: acked, parked, or dropped */
  settled?(): void;
}

export interface SchedulerHooks {
  readonly onError?: (what: string, error: unknown) => void;
  readonly random?: () => number;
}

function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}

/** A FIFO counting semaphore. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Broker deliveries beyond maxAttempts tolerated before a message is taken for one that kills its process. */
export const BROKER_REDELIVERY_ALLOWANCE = 10;

export class KeyScheduler {
  private readonly lanes = new Map<string, Delivery[]>();
  private readonly running = new Set<Promise<void>>();
  private readonly slots: Slots;
  /** wake-up functions of the deliveries waiting for a retry or a parking retry */
  private readonly sleepers = new Map<() => void, Delivery>();
  private stopping = false;
  private held = 0;
  /** first deliveries waiting for a batch slot (batch mode) */
  private readonly waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly handler: StageHandler<unknown>,
    private readonly settings: DispatcherSettings,
    private readonly hooks: SchedulerHooks = {},
  ) {
    this.slots = new Slots(settings.concurrency);
  }

  /** deliveries taken and not yet acked, parked or dropped */
  get inFlight(): number {
    return this.held;
  }

  /** false if refused (stopping): its channel is about to close, which returns it to the queue */
  push(delivery: Delivery): boolean {
    if (this.stopping) return false;
    this.held++;
    const key = delivery.message.key;
    const lane = this.lanes.get(key);
    if (lane) {
      lane.push(delivery);
      return true;
    }
    this.lanes.set(key, [delivery]);
    const run = this.runLane(key).finally(() => this.running.delete(run));
    this.running.add(run);
    return true;
  }

  /** Cut short the retry waits of deliveries that are no longer alive (their partition is being given away). */
  wakeDropped(): void {
    for (const [wake, delivery] of this.sleepers) if (!delivery.alive()) wake();
  }

  /** Start nothing new, cut retry waits short, and wait for the handlers in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.sleepers.keys()) wake();
    for (const w of this.waiting.splice(0)) w.resolve(undefined);
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private async runLane(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    try {
      while (lane.length > 0) {
        const delivery = lane[0]!;
        try {
          if (!this.stopping && delivery.alive()) await this.handle(delivery);
        } finally {
          lane.shift();
          this.held--;
          delivery.settled?.();
        }
      }
    } finally {
      this.held -= lane.length;
      for (const left of lane.splice(0)) left.settled?.();
      this.lanes.delete(key);
    }
  }

  private async handle(delivery: Delivery): Promise<void> {
    const { maxAttempts } = this.settings;
    let attempt = delivery.message.attempt;
    // The broker counts every return as a delivery: after a lost connection, a broker restart or a
    // partition handover, messages that were only prefetched come back too. Those are not failures,
    // so only far more deliveries than retries allowed mean a process kept dying in the handler.
    if (attempt > maxAttempts + BROKER_REDELIVERY_ALLOWANCE) {
      const error = new UnrecoverableError(`not acknowledged after ${attempt - 1} deliveries (the process stopped while handling it)`);
      await this.park(delivery, describeFailure(error), attempt - 1);
      return;
    }
    // retries are counted from this delivery: earlier broker deliveries were not handler failures
    let failures = 0;
    for (;;) {
      let failure: { error: unknown } | undefined;
      if (this.settings.batch && failures === 0) {
        if (this.stopping || !delivery.alive()) return;
        const outcome = await this.inBatch(delivery, { ...delivery.message, attempt });
        if (outcome === undefined) return; // dropped: the broker will deliver it again
        if (!outcome.ok) failure = { error: outcome.error };
      } else {
        await this.slots.acquire();
        try {
          if (this.stopping || !delivery.alive()) return;
          await this.handler({ ...delivery.message, attempt });
        } catch (error) {
          failure = { error };
        } finally {
          this.slots.release();
        }
      }
      if (!failure) {
        delivery.ack();
        return;
      }
      failures++;
      if (isUnrecoverable(failure.error) || failures >= maxAttempts) {
        await this.park(delivery, describeFailure(failure.error), attempt);
        return;
      }
      await this.sleep(retryDelayMs(failures, this.settings, this.hooks.random), delivery);
      attempt++;
    }
  }

  /** Wait for a batch to take this first delivery; its outcome, or undefined when dropped. */
  private inBatch(delivery: Delivery, message: StageMessage): Promise<MessageOutcome | undefined> {
    return new Promise((resolve) => {
      this.waiting.push({ delivery, message, resolve });
      this.drain();
    });
  }

  /**
   * Form batches while first deliveries wait: each takes a slot, and what arrived meanwhile (up to
   * maxMessages) goes in it, so batches grow when the handler is the bottleneck and stay small when idle.
   */
  private drain(): void {
    const batch = this.settings.batch;
    if (this.draining || batch === undefined) return;
    this.draining = true;
    void (async () => {
      try {
        while (this.waiting.length > 0) {
          await this.slots.acquire();
          await new Promise((resolve) => setImmediate(resolve)); // deliveries of this tick join
          const taken = this.waiting.splice(0, batch.maxMessages);
          const live = taken.filter((w) => !this.stopping && w.delivery.alive());
          for (const w of taken) if (!live.includes(w)) w.resolve(undefined);
          if (live.length === 0) {
            this.slots.release();
            continue;
          }
          void runBatch(batch.handler, live.map((w) => w.message)).then((outcomes) => {
            this.slots.release();
            live.forEach((w, i) => w.resolve(outcomes[i]));
          });
        }
      } finally {
        this.draining = false;
      }
    })();
  }

  /** Park, retrying while the delivery is still ours (a parking publish can fail while the link is shaky). */
  private async park(delivery: Delivery, reason: string, attempts: number): Promise<void> {
    for (let failures = 1; delivery.alive(); failures++) {
      try {
        await delivery.park(reason, attempts);
        return;
      } catch (error) {
        this.hooks.onError?.('could not park a message; will retry', error);
        if (this.stopping) return;
        await this.sleep(retryDelayMs(failures, this.settings, this.hooks.random), delivery);
      }
    }
  }

  private sleep(ms: number, delivery: Delivery): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.set(wake, delivery);
    });
  }
}
