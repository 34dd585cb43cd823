/**
 * The RabbitMQ Transport. Each stage has `partitions` durable quorum queues with a single active
 * consumer; a message goes to partition fnv1a(key) mod partitions, so one key's messages stay in
 * one queue, in order, taken by one process at a time. publish resolves on the broker's confirm
 * (persistent message, quorum queue: replicated to disk) and rejects at once while the broker is
 * unreachable, so intake answers AE and the sender retries. Failures are retried in place with
 * backoff (holding back their key only), then parked in `<prefix>.<stage>.parked` with the reason,
 * attempt and partition in headers. See amqp-topology.ts, amqp-connection.ts, amqp-parked.ts.
 *
 * Scale out: every transport that consumes joins a membership (amqp-membership.ts, amqp-ownership.ts)
 * and consumes only the partitions the assignment (partition-assignment.ts) gives it, so several worker processes share
 * the partitions; on every change of members the partitions move with an ordered hand-over
 * (amqp-stage-consumer.ts). A transport that only publishes (an ingest process) takes no part.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { AmqpConnection, BrokerUnavailableError, describe, type AmqpLink, type ReconnectPolicy } from './amqp-connection.js';
import { encodePayload, parkHeaders, publishOptions, type Envelope } from './amqp-messages.js';
import { MEMBERSHIP_DEFAULTS, type MembershipSettings } from './amqp-membership.js';
import { PartitionOwnership } from './amqp-ownership.js';
import { AmqpStageConsumer, type Parker } from './amqp-stage-consumer.js';
import { ParkedIndex, type ParkedHoldSettings } from './amqp-parked.js';
import { assertQueuePrefix, declareTopology, deleteTopology, parkedQueue, partitionQueue, partitionQueues, type TopologyNames } from './amqp-topology.js';
import { STAGES } from './journal-queries.js';
import { KeyScheduler } from './key-scheduler.js';
import { resolveConsumeOptions } from './local-transport.js';
import { partitionOf } from './partition.js';
import type { ConsumeOptions, Consumer, ParkedMessage, StageHandler, StageMessage, StageName, StageStats, Transport } from './transport.js';

export interface AmqpTransportOptions {
  /** amqp://user:password@host:5672/vhost */
  readonly url: string;
  /** partition queues per stage; every process must use the same number; default 8 */
  readonly partitions?: number;
  /** unacked deliveries per partition consumer; default 32 */
  readonly prefetch?: number;
  /** queue names start with this; default `junction` */
  readonly queuePrefix?: string;
  readonly logger?: Logger;
  /** backoff between reconnect attempts; default 100 ms doubling up to 10 s */
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** a publish not confirmed within this rejects (the message may still arrive: consumers are idempotent); default 10 s */
  readonly publishTimeoutMs?: number;
  /** connection name shown by RabbitMQ; default `junction <pid>` */
  readonly connectionName?: string;
  /** how long the parked-message index holds parked messages after its last use, and at most; see amqp-parked.ts */
  readonly parkedHold?: Partial<ParkedHoldSettings>;
  /**
   * How consuming processes find each other to share the partitions: heartbeat every `heartbeatMs`
   * (default 1 s), a process not heard for `timeoutMs` (default 5 s) is gone and its partitions move,
   * a new process listens `settleMs` (default 1 s) before it takes any. Every process should agree.
   */
  readonly membership?: Partial<MembershipSettings>;
}

/** The AMQP transport, with extras beyond the Transport contract. */
export interface AmqpTransport extends Transport {
  readonly kind: 'amqp';
  readonly partitions: number;
  readonly queuePrefix: string;
  /** true while connected to the broker */
  readonly connected: boolean;
  /** Delete every queue of this prefix (tests, tear-down). Refused while consumers run. */
  deleteQueues(): Promise<void>;
  /** Tests: drop the connection as a crashed process would (no clean stop, no reconnect). */
  abandon(): void;
  /** This process's member id while it consumes (random per membership), else undefined. */
  readonly memberId: string | undefined;
  /** The partitions of `stage` this process is subscribed to now (and not giving away), ascending. */
  partitionsHeld(stage: StageName): number[];
}

const DEFAULTS = {
  partitions: 8,
  prefetch: 32,
  queuePrefix: 'junction',
  reconnect: { minMs: 100, maxMs: 10_000 },
  publishTimeoutMs: 10_000,
  parkedHold: { holdMs: 30_000, maxHoldMs: 600_000, settleMs: 2_000, maxHeld: 10_000 },
} as const;

const DEFAULT_PARKED_LIMIT = 100;

function wholeNumber(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`AMQP transport option ${name} must be a whole number ≥ ${min}, got ${String(value)}`);
  return value;
}

function assertStage(stage: string): asserts stage is StageName {
  if (!(STAGES as readonly string[]).includes(stage)) throw new RangeError(`unknown stage "${stage}": expected one of ${STAGES.join(', ')}`);
}

/**
 * Connect, declare the topology, and hand back the transport. Rejects (with what to check) when
 * the broker cannot be reached at start; after that, it reconnects on its own.
 */
export async function createAmqpTransport(options: AmqpTransportOptions): Promise<AmqpTransport> {
  const names: TopologyNames = {
    prefix: options.queuePrefix ?? DEFAULTS.queuePrefix,
    partitions: wholeNumber('partitions', options.partitions, DEFAULTS.partitions, 1),
  };
  assertQueuePrefix(names.prefix);
  const prefetch = wholeNumber('prefetch', options.prefetch, DEFAULTS.prefetch, 1);
  const reconnect = { ...DEFAULTS.reconnect, ...options.reconnect };
  const connection = new AmqpConnection({
    url: options.url,
    reconnect,
    connectionName: options.connectionName ?? `junction ${process.pid}`,
    logger: options.logger,
    setup: async (model: ChannelModel) => {
      const channel = await model.createChannel();
      try {
        await declareTopology(channel, names);
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
  });
  await connection.start();
  const membership = { ...MEMBERSHIP_DEFAULTS, ...options.membership };
  for (const [name, value] of Object.entries(membership)) wholeNumber(`membership.${name}`, value, 0, 1);
  if (membership.timeoutMs <= membership.heartbeatMs) {
    throw new RangeError(`AMQP transport option membership.timeoutMs (${membership.timeoutMs}) must be longer than membership.heartbeatMs (${membership.heartbeatMs}); several heartbeats, e.g. 5×`);
  }
  return new RabbitTransport(names, prefetch, connection, {
    membership,
    logger: options.logger,
    publishTimeoutMs: wholeNumber('publishTimeoutMs', options.publishTimeoutMs, DEFAULTS.publishTimeoutMs, 1),
    parkedHold: { ...DEFAULTS.parkedHold, ...options.parkedHold },
  });
}

interface RabbitSettings {
  readonly membership: MembershipSettings;
  readonly logger: Logger | undefined;
  readonly publishTimeoutMs: number;
  readonly parkedHold: ParkedHoldSettings;
}

class RabbitTransport implements AmqpTransport, Parker {
  readonly kind = 'amqp' as const;
  private readonly consumers = new Map<StageName, AmqpStageConsumer>();
  private readonly parked: ParkedIndex;
  private readonly ownership: PartitionOwnership;
  private closed = false;

  constructor(
    private readonly names: TopologyNames,
    private readonly prefetch: number,
    private readonly connection: AmqpConnection,
    private readonly settings: RabbitSettings,
  ) {
    this.parked = new ParkedIndex(names, connection, settings.parkedHold, this.reportError);
    this.ownership = new PartitionOwnership({
      names,
      connection,
      settings: settings.membership,
      logger: settings.logger,
      onChange: () => {
        for (const consumer of this.consumers.values()) consumer.reconcile();
      },
      onError: this.reportError,
    });
  }

  get partitions(): number {
    return this.names.partitions;
  }

  get queuePrefix(): string {
    return this.names.prefix;
  }

  get connected(): boolean {
    return this.connection.current() !== undefined;
  }

  get memberId(): string | undefined {
    return this.ownership.memberId;
  }

  partitionsHeld(stage: StageName): number[] {
    return this.consumers.get(stage)?.partitionsHeld ?? [];
  }

  async publish<P>(stage: StageName, key: string, payload: P): Promise<void> {
    this.assertOpen('publish');
    assertStage(stage);
    if (typeof key !== 'string') throw new TypeError(`publish to ${stage}: key must be a string`);
    const envelope: Envelope = { id: randomUUID(), key, publishedAt: new Date() };
    const queue = partitionQueue(this.names, stage, partitionOf(key, this.names.partitions));
    await this.send(queue, encodePayload(payload), publishOptions(envelope), `publish to stage ${stage}`);
  }

  consume<P>(stage: StageName, handler: StageHandler<P>, options?: ConsumeOptions<P>): Consumer {
    this.assertOpen('consume');
    assertStage(stage);
    if (this.consumers.has(stage)) throw new Error(`stage ${stage} already has a consumer on this transport; stop it before consuming again`);
    const scheduler = new KeyScheduler(handler as StageHandler<unknown>, resolveConsumeOptions(options), { onError: this.reportError });
    const consumer = new AmqpStageConsumer({
      stage,
      names: this.names,
      prefetch: this.prefetch,
      connection: this.connection,
      scheduler,
      parker: this,
      onError: this.reportError,
      owns: (partition) => this.ownership.owns(stage, partition),
    });
    this.consumers.set(stage, consumer);
    this.ownership.add(stage);
    consumer.start();
    let stopped: Promise<void> | undefined;
    return {
      stop: () =>
        (stopped ??= (async () => {
          // tell the others first, so they line up behind our partitions while we drain them
          if (this.consumers.get(stage) === consumer) this.ownership.remove(stage);
          try {
            await consumer.stop();
          } finally {
            if (this.consumers.get(stage) === consumer) this.consumers.delete(stage);
          }
        })()),
    };
  }

  async listParked(stage?: StageName, limit = DEFAULT_PARKED_LIMIT): Promise<ParkedMessage[]> {
    if (stage !== undefined) assertStage(stage);
    this.assertOpen('list parked messages');
    return this.parked.list(stage, limit);
  }

  async resend(id: string): Promise<boolean> {
    this.assertOpen('resend');
    return this.parked.resend(id, (parked) => {
      const envelope: Envelope = { id: parked.id, key: parked.key, publishedAt: parked.publishedAt };
      const queue = partitionQueue(this.names, parked.stage, partitionOf(parked.key, this.names.partitions));
      return this.send(queue, encodePayload(parked.payload), publishOptions(envelope), `resend to stage ${parked.stage}`);
    });
  }

  async stats(): Promise<StageStats[]> {
    const link = this.connection.require('read queue depths');
    const channel = await link.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      const result: StageStats[] = [];
      for (const stage of STAGES) {
        let ready = 0;
        for (const queue of partitionQueues(this.names, stage)) ready += (await channel.checkQueue(queue)).messageCount;
        const parkedReady = (await channel.checkQueue(parkedQueue(this.names, stage))).messageCount;
        await this.consumers.get(stage)?.sync();
        result.push({
          stage,
          ready,
          inFlight: this.consumers.get(stage)?.inFlight ?? 0,
          parked: parkedReady + this.parked.heldCount(stage),
        });
      }
      return result;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    // say goodbye first: the others take our partitions as soon as each is drained and closed
    await this.ownership.leave();
    await Promise.all(consumers.map((c) => c.stop()));
    await this.parked.close();
    await this.connection.close();
  }

  async deleteQueues(): Promise<void> {
    if (this.consumers.size > 0) throw new Error('stop every consumer before deleting the queues');
    await this.parked.close();
    const link = this.connection.require('delete queues');
    const channel = await link.connection.createChannel();
    try {
      await deleteTopology(channel, this.names);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  abandon(): void {
    this.closed = true;
    this.ownership.abandon();
    this.connection.abandon();
  }

  /** Parker: publish to the parking queue, confirmed. */
  async park(message: StageMessage, partition: number, reason: string, attempts: number): Promise<void> {
    const envelope: Envelope = { id: message.id, key: message.key, publishedAt: message.publishedAt };
    const headers = parkHeaders(reason, attempts, partition, new Date());
    await this.send(parkedQueue(this.names, message.stage), encodePayload(message.payload), publishOptions(envelope, headers), `park a message of stage ${message.stage}`);
  }

  async parkRaw(stage: StageName, partition: number, raw: ConsumeMessage, reason: string): Promise<void> {
    const headers = { ...(raw.properties.headers ?? {}), ...parkHeaders(reason, 1, partition, new Date()) };
    await this.send(parkedQueue(this.names, stage), raw.content, { ...raw.properties, persistent: true, headers }, `park a message of stage ${stage}`);
  }

  /** Publish on the confirm channel; resolves on the broker's ack, rejects on nack, lost link or timeout. */
  private send(queue: string, body: Buffer, options: Parameters<AmqpLink['publisher']['sendToQueue']>[2], what: string): Promise<void> {
    let link: AmqpLink;
    try {
      link = this.connection.require(what);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new BrokerUnavailableError(`cannot ${what}: RabbitMQ did not confirm within ${this.settings.publishTimeoutMs} ms`));
      }, this.settings.publishTimeoutMs);
      try {
        link.publisher.sendToQueue(queue, body, options, (error: unknown) => {
          clearTimeout(timer);
          if (error) reject(new BrokerUnavailableError(`cannot ${what}: RabbitMQ did not confirm (${describe(error)})`));
          else resolve();
        });
      } catch (error) {
        clearTimeout(timer);
        reject(new BrokerUnavailableError(`cannot ${what}: ${describe(error)}`));
      }
    });
  }

  private readonly reportError = (what: string, error: unknown): void => {
    if (this.settings.logger) this.settings.logger.warn({ reason: describe(error) }, what);
    else process.emitWarning(`AMQP transport: ${what}: ${describe(error)}`, 'JunctionTransportWarning');
  };

  private assertOpen(operation: string): void {
    if (this.closed) throw new Error(`AMQP transport is closed: cannot ${operation}`);
  }
}
