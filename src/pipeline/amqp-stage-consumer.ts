/**
 * The consumer of one stage on the AMQP transport: one channel per partition queue it owns (so a
 * partition can be given back alone), each consuming with the configured prefetch. Which partitions
 * it owns comes from the membership (`owns`, see amqp-membership.ts and partition-assignment.ts);
 * `reconcile()` subscribes the ones gained and releases the ones lost. Deliveries feed a KeyScheduler
 * (per-key order, retries, parking).
 *
 * Handing a partition over keeps its order. RabbitMQ's single active consumer makes a new owner's
 * consumer wait while the old one is subscribed. Releasing starts nothing new, waits for the handlers
 * in flight to finish and ack, and then CLOSES the channel: closing returns the delivered-but-unstarted
 * messages to the head of the quorum queue, in order, and activates the next consumer in one step.
 * (Cancelling first would activate the next consumer at once, beside our unacked messages — measured
 * on RabbitMQ 3.10 — and nack(requeue) while still active would hand them straight back to us.)
 * A returned message counts as one more delivery in x-delivery-count, so a handover adds 1 to the
 * `attempt` of the messages that were waiting in the prefetch buffer.
 *
 * After a reconnect the consumer subscribes its partitions again. Deliveries of the dead connection
 * are dropped (the broker redelivers them); a handler still running for one keeps its key's lane, so
 * its redelivery waits behind it instead of running beside it.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection, AmqpLink } from './amqp-connection.js';
import { describe } from './amqp-connection.js';
import { decodeStageMessage, publishSequence, UndecodableMessageError } from './amqp-messages.js';
import { partitionQueue, type TopologyNames } from './amqp-topology.js';
import { KeyScheduler, type Delivery } from './key-scheduler.js';
import type { StageMessage, StageName } from './transport.js';

export interface Parker {
  /** publish to the stage's parking queue and wait for the confirm */
  park(message: StageMessage, partition: number, reason: string, attempts: number): Promise<void>;
  /** park a delivery we cannot decode, body and headers as they came */
  parkRaw(stage: StageName, partition: number, raw: ConsumeMessage, reason: string): Promise<void>;
}

export interface StageConsumerDeps {
  readonly stage: StageName;
  readonly names: TopologyNames;
  readonly prefetch: number;
  readonly connection: AmqpConnection;
  readonly scheduler: KeyScheduler;
  readonly parker: Parker;
  readonly onError: (what: string, error: unknown) => void;
  /** whether this process should consume the partition now; default: every partition */
  readonly owns?: (partition: number) => boolean;
}

function publishOrder(message: StageMessage): number {
  return message.publishedAt.getTime();
}

interface Subscription {
  readonly channel: Channel;
  readonly partition: number;
  readonly link: AmqpLink;
  open: boolean;
  /** being given away: start nothing more of it */
  releasing: boolean;
  consumerTag?: string;
  /** deliveries handed to the scheduler and not yet settled */
  pending: number;
  /** called when `pending` drops to 0 */
  onIdle?: () => void;
  /** while its batch is subscribing: deliveries held back, to be handed over in publish order */
  early?: Early[];
}

interface Early {
  readonly subscription: Subscription;
  readonly delivery: Delivery;
}

export class AmqpStageConsumer {
  private readonly subscriptions = new Map<number, Subscription>();
  private unsubscribeUp: (() => void) | undefined;
  private stopping = false;
  private reconciling = false;
  private again = false;

  constructor(private readonly deps: StageConsumerDeps) {}

  get inFlight(): number {
    return this.deps.scheduler.inFlight;
  }

  /** partitions this consumer is subscribed to and not giving away, ascending */
  get partitionsHeld(): number[] {
    return [...this.subscriptions.values()]
      .filter((s) => s.open && !s.releasing)
      .map((s) => s.partition)
      .sort((a, b) => a - b);
  }

  start(): void {
    this.unsubscribeUp = this.deps.connection.onUp(() => this.reconcile());
  }

  /** Bring the subscriptions in line with what this process owns (call on every membership change). */
  reconcile(): void {
    if (this.stopping) return;
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = true;
    void this.reconcileLoop().finally(() => (this.reconciling = false));
  }

  /**
   * Stop: start nothing new, wait for handlers in flight (their acks are sent), then close the
   * channels, which returns the rest to the head of their queues and lets the next consumer in.
   * No basic.cancel first: it would let a standby start while our handlers still run.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribeUp?.();
    await this.deps.scheduler.stop();
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    await Promise.all(subscriptions.map((s) => (s.open ? s.channel.close().catch(() => undefined) : undefined)));
  }

  /**
   * One round trip on every partition channel: deliveries the broker sent before this call have
   * reached the scheduler when it resolves (so stats do not miss messages on the wire).
   */
  async sync(): Promise<void> {
    await Promise.all(
      [...this.subscriptions.values()]
        .filter((s) => s.open)
        .map((s) => s.channel.checkQueue(partitionQueue(this.deps.names, this.deps.stage, s.partition)).catch(() => undefined)),
    );
  }

  private owns(partition: number): boolean {
    return this.deps.owns ? this.deps.owns(partition) : true;
  }

  private async reconcileLoop(): Promise<void> {
    do {
      this.again = false;
      const link = this.deps.connection.current();
      for (const [partition, s] of this.subscriptions) {
        if (!s.open || s.link !== link) this.subscriptions.delete(partition);
      }
      if (!link || this.stopping) continue;
      const gained: number[] = [];
      for (let partition = 0; partition < this.deps.names.partitions; partition++) {
        const held = this.subscriptions.get(partition);
        const wanted = this.owns(partition);
        if (wanted && !held) gained.push(partition);
        else if (!wanted && held && !held.releasing) void this.release(held);
      }
      if (gained.length === 0) continue;
      try {
        await this.acquire(link, gained);
      } catch (error) {
        if (this.stopping || this.deps.connection.current() !== link) continue; // closing anyway
        this.deps.onError(`cannot consume stage ${this.deps.stage}`, error);
        // a half-subscribed stage would starve some partitions: start over on a new connection
        void link.connection.close().catch(() => undefined);
      }
    } while (this.again && !this.stopping);
  }

  /**
   * Subscribe partitions, holding back their first deliveries until all are subscribed, then hand
   * them over oldest first: a backlog starts in publish order rather than in subscription order.
   */
  private async acquire(link: AmqpLink, partitions: readonly number[]): Promise<void> {
    const early: Early[] = [];
    const fresh: Subscription[] = [];
    try {
      await Promise.all(partitions.map(async (partition) => fresh.push(await this.subscribePartition(link, partition, early))));
      await this.sync();
    } finally {
      for (const s of fresh) delete s.early;
      early.sort((a, b) => publishOrder(a.delivery.message) - publishOrder(b.delivery.message) || a.delivery.sequence - b.delivery.sequence);
      for (const { subscription, delivery } of early) this.push(subscription, delivery);
    }
    if (this.stopping) await Promise.all(fresh.map((s) => s.channel.close().catch(() => undefined)));
  }

  private async subscribePartition(link: AmqpLink, partition: number, early: Early[]): Promise<Subscription> {
    const channel = await link.connection.createChannel();
    const subscription: Subscription = { channel, partition, link, open: true, releasing: false, pending: 0, early };
    channel.on('error', (error: Error) => this.deps.onError(`stage ${this.deps.stage} partition ${partition} channel error`, error));
    channel.on('close', () => {
      subscription.open = false;
      // a channel lost on its own (the connection lives on): subscribe again if the partition is still ours
      if (!subscription.releasing && !this.stopping && this.deps.connection.current() === link) this.reconcile();
    });
    this.subscriptions.set(partition, subscription);
    if (this.stopping) return subscription;
    await channel.prefetch(this.deps.prefetch);
    const queue = partitionQueue(this.deps.names, this.deps.stage, partition);
    const { consumerTag } = await channel.consume(queue, (message) => this.receive(subscription, message), { noAck: false });
    subscription.consumerTag = consumerTag;
    return subscription;
  }

  /**
   * Give a partition away: start nothing more of it, let the handlers in flight finish and ack, then
   * close its channel (returning the unstarted deliveries to the head of the queue, in order).
   */
  private async release(subscription: Subscription): Promise<void> {
    subscription.releasing = true;
    this.deps.scheduler.wakeDropped();
    if (subscription.pending > 0) await new Promise<void>((resolve) => (subscription.onIdle = resolve));
    await subscription.channel.close().catch(() => undefined);
    subscription.open = false;
    if (this.subscriptions.get(subscription.partition) === subscription) this.subscriptions.delete(subscription.partition);
    this.reconcile();
  }

  private push(subscription: Subscription, delivery: Delivery): void {
    subscription.pending++;
    if (!this.deps.scheduler.push(delivery)) this.settle(subscription);
  }

  private settle(subscription: Subscription): void {
    subscription.pending--;
    if (subscription.pending === 0) subscription.onIdle?.();
  }

  private receive(subscription: Subscription, raw: ConsumeMessage | null): void {
    const { channel, partition } = subscription;
    if (raw === null) {
      // the broker cancelled us (queue deleted): nothing to take from this partition any more
      this.deps.onError(`stage ${this.deps.stage} partition ${partition} consumer cancelled by the broker`, new Error('cancelled'));
      return;
    }
    // being given away: leave it unacked, closing the channel returns it to the head of the queue
    if (!subscription.open || subscription.releasing) return;
    let message: StageMessage;
    try {
      message = decodeStageMessage(this.deps.stage, raw);
    } catch (error) {
      if (!(error instanceof UndecodableMessageError)) throw error;
      this.deps.parker
        .parkRaw(this.deps.stage, partition, raw, error.message)
        .then(() => subscription.open && channel.ack(raw))
        .catch((parkError: unknown) => this.deps.onError(`cannot park an undecodable message: ${describe(parkError)}`, parkError));
      return;
    }
    const delivery: Delivery = {
      message,
      sequence: publishSequence(raw),
      alive: () => subscription.open && !subscription.releasing,
      ack: () => {
        if (subscription.open) channel.ack(raw);
      },
      park: async (reason, attempts) => {
        await this.deps.parker.park(message, partition, reason, attempts);
        if (subscription.open) channel.ack(raw);
      },
      settled: () => this.settle(subscription),
    };
    if (subscription.early) subscription.early.push({ subscription, delivery });
    else this.push(subscription, delivery);
  }
}
