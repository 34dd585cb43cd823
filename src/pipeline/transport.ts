/**
 * The Transport seam: stages are queues, partitioned by key so one key's messages are handled in order.
 * Implementations: local (journal table in the embedded database) and amqp (RabbitMQ).
 */
export type StageName = 'inbound' | 'records' | 'changed';

export interface StageMessage<P = unknown> {
  /** transport-assigned id, stable across redeliveries (used to list and resend parked messages) */
  readonly id: string;
  readonly stage: StageName;
  /** partition key: the patient key; same key ⇒ in order */
  readonly key: string;
  readonly payload: P;
  /** 1 on first delivery */
  readonly attempt: number;
  readonly publishedAt: Date;
}

export interface ParkedMessage<P = unknown> extends StageMessage<P> {
  readonly reason: string;
  readonly parkedAt: Date;
}

/** Throw this from a handler for a failure that will not get better with a retry: the message is parked at once. */
export class UnrecoverableError extends Error {
  override readonly name = 'UnrecoverableError';
}

/** One message's outcome in a batch: ok acks it; a failure is retried (alone) or parked as a handler's throw would be. */
export type MessageOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * Handles several ready messages at once — each the head of its own key, so never two of one key — with the same
 * effect as the per-message handler on each in turn. Outcomes are in input order; a throw fails them all.
 */
export type BatchStageHandler<P = unknown> = (messages: readonly StageMessage<P>[]) => Promise<readonly MessageOutcome[]>;

export interface BatchConsumeOptions<P = unknown> {
  readonly handler: BatchStageHandler<P>;
  /** most messages per batch (at least 1) */
  readonly maxMessages: number;
}

export interface ConsumeOptions<P = unknown> {
  /** how many messages (of different keys) may be in the handler at once; default 1 */
  readonly concurrency?: number;
  /** deliveries before parking; default 5 */
  readonly maxAttempts?: number;
  /** first retry delay in ms, doubled each attempt; default 200 */
  readonly backoffMs?: number;
  /** retry delay ceiling in ms; default 30000 */
  readonly maxBackoffMs?: number;
  /**
   * Hand first deliveries to `batch.handler`, up to `batch.maxMessages` at a time, each batch taking one of the
   * `concurrency` slots; every message is acked only after its batch resolved with ok for it. A failed message,
   * and any redelivery, goes through the per-message handler, with the usual retries and parking.
   */
  readonly batch?: BatchConsumeOptions<P>;
}

export type StageHandler<P = unknown> = (message: StageMessage<P>) => Promise<void>;

export interface Consumer {
  /** stop taking new messages and wait for handlers in flight to finish */
  stop(): Promise<void>;
}

export interface StageStats {
  readonly stage: StageName;
  readonly ready: number;
  readonly inFlight: number;
  readonly parked: number;
}

export interface Transport {
  readonly kind: 'local' | 'amqp';
  /** Resolves only when the message is durable (journal commit / broker confirm). */
  publish<P>(stage: StageName, key: string, payload: P): Promise<void>;
  /**
   * Handle messages of a stage. A handler that resolves acks; one that throws is redelivered
   * with exponential backoff until `maxAttempts`, then parked with the error as its reason.
   * `UnrecoverableError` parks at once. Messages of one key are never handled concurrently
   * and are handled in publish order (a message waiting for a retry holds back its key).
   */
  consume<P>(stage: StageName, handler: StageHandler<P>, options?: ConsumeOptions<P>): Consumer;
  listParked(stage?: StageName, limit?: number): Promise<ParkedMessage[]>;
  /** put a parked message back at the end of its stage with attempt reset; false if no such parked message */
  resend(id: string): Promise<boolean>;
  stats(): Promise<StageStats[]>;
  close(): Promise<void>;
}
