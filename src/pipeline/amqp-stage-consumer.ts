/**
 * The consumer of one stage on the AMQP transport: one channel per partition queue (so a partition
 * can be given back alone), each consuming with the configured prefetch. RabbitMQ's single active
 * consumer lets one process at a time take a partition; the others wait as standbys and take over
 * when it goes. Deliveries feed a KeyScheduler (per-key order, retries, parking).
 *
 * After a reconnect the consumer subscribes again. Deliveries of the dead connection are dropped
 * (the broker redelivers them); a handler still running for one keeps its key's lane, so its
 * redelivery waits behind it instead of running beside it.
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
}

function publishOrder(message: StageMessage): number {
  return message.publishedAt.getTime();
}

interface Subscription {
  readonly channel: Channel;
  readonly partition: number;
  open: boolean;
  consumerTag?: string;
}

export class AmqpStageConsumer {
  private subscriptions: Subscription[] = [];
  private unsubscribeUp: (() => void) | undefined;
  private stopping = false;
  /** deliveries that arrive while subscribing, handed over in publish order once all partitions are subscribed */
  private gathering: Delivery[] | undefined;

  constructor(private readonly deps: StageConsumerDeps) {}

  get inFlight(): number {
    return this.deps.scheduler.inFlight;
  }

  start(): void {
    this.unsubscribeUp = this.deps.connection.onUp((link) => {
      this.subscribe(link).catch((error: unknown) => {
        this.deps.onError(`cannot consume stage ${this.deps.stage}`, error);
        // a half-subscribed stage would starve some partitions: start over on a new connection
        void link.connection.close().catch(() => undefined);
      });
    });
  }

  /** Stop taking deliveries, wait for handlers in flight (their acks are sent), then return the rest. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribeUp?.();
    const subscriptions = this.subscriptions;
    await Promise.all(
      subscriptions.map(async (s) => {
        if (s.open && s.consumerTag !== undefined) await s.channel.cancel(s.consumerTag).catch(() => undefined);
      }),
    );
    await this.deps.scheduler.stop();
    // closing returns deliveries that were prefetched but never started
    await Promise.all(subscriptions.map((s) => (s.open ? s.channel.close().catch(() => undefined) : undefined)));
    this.subscriptions = [];
  }

  /**
   * One round trip on every partition channel: deliveries the broker sent before this call have
   * reached the scheduler when it resolves (so stats do not miss messages on the wire).
   */
  async sync(): Promise<void> {
    await Promise.all(
      this.subscriptions
        .filter((s) => s.open)
        .map((s) => s.channel.checkQueue(partitionQueue(this.deps.names, this.deps.stage, s.partition)).catch(() => undefined)),
    );
  }

  /**
   * Subscribe every partition, holding back the first deliveries until all are subscribed, then hand
   * them over oldest first: the backlog starts in publish order rather than in subscription order.
   */
  private async subscribe(link: AmqpLink): Promise<void> {
    const partitions = Array.from({ length: this.deps.names.partitions }, (_, p) => p);
    const early: Delivery[] = [];
    this.gathering = early;
    let fresh: Subscription[] = [];
    try {
      fresh = await Promise.all(partitions.map((partition) => this.subscribePartition(link, partition)));
      await this.sync();
    } finally {
      if (this.gathering === early) this.gathering = undefined;
      early.sort((a, b) => publishOrder(a.message) - publishOrder(b.message) || a.sequence - b.sequence);
      for (const delivery of early) this.deps.scheduler.push(delivery);
    }
    if (this.stopping) await Promise.all(fresh.map((s) => s.channel.close().catch(() => undefined)));
  }

  private async subscribePartition(link: AmqpLink, partition: number): Promise<Subscription> {
    const channel = await link.connection.createChannel();
    const subscription: Subscription = { channel, partition, open: true };
    channel.on('error', (error: Error) => this.deps.onError(`stage ${this.deps.stage} partition ${partition} channel error`, error));
    channel.on('close', () => (subscription.open = false));
    this.subscriptions = [...this.subscriptions.filter((s) => s.open), subscription];
    if (this.stopping) return subscription;
    await channel.prefetch(this.deps.prefetch);
    const queue = partitionQueue(this.deps.names, this.deps.stage, partition);
    const { consumerTag } = await channel.consume(queue, (message) => this.receive(subscription, message), { noAck: false });
    subscription.consumerTag = consumerTag;
    return subscription;
  }

  private receive(subscription: Subscription, raw: ConsumeMessage | null): void {
    const { channel, partition } = subscription;
    if (raw === null) {
      // the broker cancelled us (queue deleted): nothing to take from this partition any more
      this.deps.onError(`stage ${this.deps.stage} partition ${partition} consumer cancelled by the broker`, new Error('cancelled'));
      return;
    }
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
      alive: () => subscription.open,
      ack: () => {
        if (subscription.open) channel.ack(raw);
      },
      park: async (reason, attempts) => {
        await this.deps.parker.park(message, partition, reason, attempts);
        if (subscription.open) channel.ack(raw);
      },
    };
    if (this.gathering) this.gathering.push(delivery);
    else this.deps.scheduler.push(delivery);
  }
}
