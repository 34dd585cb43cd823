/**
 * Who is consuming, learnt through RabbitMQ itself (no management plugin, no other service).
 *
 * Every transport that consumes is a member with a random id. It binds an exclusive, auto-delete
 * queue to the fanout exchange `<prefix>.members` and publishes a heartbeat there every
 * `heartbeatMs`: its id and the stages it consumes. The live members of a stage are those heard
 * within `timeoutMs`, plus itself. A member that joins says hello, and everyone answers at once, so
 * it learns the others in one round trip; it waits `settleMs` before claiming anything, so it does not
 * grab every partition for a moment. A member that stops says goodbye; one that dies stops beating and
 * drops out after `timeoutMs` (its connection is gone, so the broker has already returned its messages).
 *
 * While the link is down nobody expires: after a reconnect every known member gets a full timeout
 * again, rather than being dropped for silence we could not hear.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection, AmqpLink } from './amqp-connection.js';
import { membersExchange, type TopologyNames } from './amqp-topology.js';
import { STAGES } from './journal-queries.js';
import type { StageName } from './transport.js';

export interface MembershipSettings {
  /** how often a member announces itself, in ms */
  readonly heartbeatMs: number;
  /** a member not heard for this long is gone, in ms; several heartbeats */
  readonly timeoutMs: number;
  /** how long a new member listens before it claims partitions, in ms */
  readonly settleMs: number;
}

export const MEMBERSHIP_DEFAULTS: MembershipSettings = { heartbeatMs: 1_000, timeoutMs: 5_000, settleMs: 1_000 };

interface Heartbeat {
  readonly id: string;
  readonly stages: readonly StageName[];
  /** a new member: answer at once */
  readonly hello?: boolean;
  /** this member is stopping: forget it now */
  readonly leaving?: boolean;
}

interface Peer {
  stages: ReadonlySet<StageName>;
  seenAt: number;
}

export interface MembershipDeps {
  readonly names: TopologyNames;
  readonly connection: AmqpConnection;
  readonly settings: MembershipSettings;
  /** the live members of some stage changed (or the view settled) */
  readonly onChange: () => void;
  readonly onError: (what: string, error: unknown) => void;
  readonly now?: () => number;
}

function parseHeartbeat(message: ConsumeMessage): Heartbeat | undefined {
  try {
    const value = JSON.parse(message.content.toString('utf8')) as Partial<Heartbeat>;
    if (typeof value.id !== 'string' || !Array.isArray(value.stages)) return undefined;
    const stages = value.stages.filter((s): s is StageName => (STAGES as readonly unknown[]).includes(s));
    return { id: value.id, stages, hello: value.hello === true, leaving: value.leaving === true };
  } catch {
    return undefined;
  }
}

export class AmqpMembership {
  readonly id = randomUUID();
  private readonly peers = new Map<string, Peer>();
  private readonly now: () => number;
  private stages: ReadonlySet<StageName> = new Set();
  private channel: Channel | undefined;
  private attachedAt = 0;
  private settled = false;
  private closed = false;
  private lastView = '';
  private ticker: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: MembershipDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  /** Join: listen and beat on every link from now on. */
  start(stages: ReadonlySet<StageName>): void {
    this.stages = new Set(stages);
    this.unsubscribe.push(
      this.deps.connection.onUp((link) => this.attach(link)),
      this.deps.connection.onDown(() => this.detach()),
    );
    this.ticker = setInterval(() => this.tick(), this.deps.settings.heartbeatMs);
    this.ticker.unref();
  }

  /** The stages this member consumes changed: tell the others at once. */
  setStages(stages: ReadonlySet<StageName>): void {
    this.stages = new Set(stages);
    this.beat();
    this.refresh();
  }

  /** Live member ids consuming `stage`, sorted, this member included if it consumes it; undefined until settled. */
  members(stage: StageName): string[] | undefined {
    if (!this.settled || this.closed) return undefined;
    const ids = [...this.peers].filter(([, peer]) => peer.stages.has(stage)).map(([id]) => id);
    if (this.stages.has(stage)) ids.push(this.id);
    return ids.sort();
  }

  /** How many other members are live (any stage). */
  get peerCount(): number {
    return this.peers.size;
  }

  /** Leave: say goodbye (so the others take over without waiting for the timeout) and stop beating. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    clearTimeout(this.settleTimer);
    clearTimeout(this.retryTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      this.publish(channel, { id: this.id, stages: [], leaving: true });
      await channel.close().catch(() => undefined);
    }
  }

  /** Tests (a crashed process): stop beating without a goodbye. */
  abandon(): void {
    this.closed = true;
    clearInterval(this.ticker);
    clearTimeout(this.settleTimer);
    clearTimeout(this.retryTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    this.channel = undefined;
  }

  private attach(link: AmqpLink): void {
    if (this.closed || this.channel) return;
    this.open(link).catch((error: unknown) => {
      this.deps.onError('cannot join the consumer membership; will retry', error);
      this.retryLater(link);
    });
  }

  private async open(link: AmqpLink): Promise<void> {
    const channel = await link.connection.createChannel();
    channel.on('error', (error: Error) => this.deps.onError('membership channel error', error));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      this.retryLater(link);
    });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, membersExchange(this.deps.names), '');
    await channel.consume(queue, (message) => message && this.receive(message), { noAck: true });
    if (this.closed || this.deps.connection.current() !== link) {
      await channel.close().catch(() => undefined);
      return;
    }
    this.channel = channel;
    this.attachedAt = this.now();
    this.publish(channel, { id: this.id, stages: [...this.stages], hello: true });
    if (!this.settled && !this.settleTimer) {
      this.settleTimer = setTimeout(() => {
        this.settled = true;
        this.refresh();
      }, this.deps.settings.settleMs);
    }
  }

  /** The channel died while the link lives on (e.g. the exchange was deleted): try again a little later. */
  private retryLater(link: AmqpLink): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.deps.connection.current() === link) this.attach(link);
    }, this.deps.settings.heartbeatMs);
  }

  private detach(): void {
    this.channel = undefined; // the connection took it with it
  }

  private receive(message: ConsumeMessage): void {
    const beat = parseHeartbeat(message);
    if (!beat || beat.id === this.id || this.closed) return;
    if (beat.leaving) {
      this.peers.delete(beat.id);
    } else {
      const known = this.peers.has(beat.id);
      this.peers.set(beat.id, { stages: new Set(beat.stages), seenAt: this.now() });
      if (beat.hello || !known) this.beat(); // a newcomer learns us without waiting for the next tick
    }
    this.refresh();
  }

  private tick(): void {
    if (!this.channel) return; // deaf while the link is down: expire nobody
    this.beat();
    const now = this.now();
    for (const [id, peer] of this.peers) {
      if (now - Math.max(peer.seenAt, this.attachedAt) > this.deps.settings.timeoutMs) this.peers.delete(id);
    }
    this.refresh();
  }

  private beat(): void {
    if (this.channel) this.publish(this.channel, { id: this.id, stages: [...this.stages] });
  }

  private publish(channel: Channel, beat: Heartbeat): void {
    try {
      channel.publish(membersExchange(this.deps.names), '', Buffer.from(JSON.stringify(beat)), {
        persistent: false,
        contentType: 'application/json',
        expiration: String(this.deps.settings.timeoutMs),
      });
    } catch (error) {
      this.deps.onError('cannot publish a membership heartbeat', error);
    }
  }

  /** Tell the owner when the view of some stage changed. */
  private refresh(): void {
    const view = STAGES.map((stage) => `${stage}=${this.members(stage)?.join(',') ?? '?'}`).join(' ');
    if (view === this.lastView) return;
    this.lastView = view;
    this.deps.onChange();
  }
}
