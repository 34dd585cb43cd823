/**
 * Listing and resending parked messages without the management plugin.
 *
 * Reading a queue without consuming it is not something AMQP 0-9-1 offers (get + requeue reorders
 * and races other readers). Instead, the first listParked/resend opens a holding session: one
 * channel consuming every parking queue without acking, so this process holds the parked messages
 * in memory, indexed by id. resend publishes a fresh copy to the message's partition queue, waits
 * for the confirm, then acks the parked one. Messages parked while the session is open arrive in it.
 * After `holdMs` without use (and at most `maxHoldMs` in all, below RabbitMQ's consumer timeout)
 * the session closes its channel, which returns every held message to its parking queue untouched.
 *
 * Only one process sees a given parked message at a time: while a session elsewhere holds messages,
 * they are not listed here (stats still count them there). Workers never open a session; the admin
 * API and `junction replay` do.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection } from './amqp-connection.js';
import { decodeParkedMessage } from './amqp-messages.js';
import { parkedQueue, type TopologyNames } from './amqp-topology.js';
import { STAGES } from './journal-queries.js';
import type { ParkedMessage, StageName } from './transport.js';

export interface ParkedHoldSettings {
  /** close an unused session after this long, in ms */
  readonly holdMs: number;
  /** close any session after this long, in ms */
  readonly maxHoldMs: number;
  /** how long opening a session waits for the broker to hand over the parked messages, in ms */
  readonly settleMs: number;
  /** most messages held per parking queue */
  readonly maxHeld: number;
}

interface Held {
  readonly parked: ParkedMessage;
  readonly raw: ConsumeMessage;
}

interface Session {
  readonly channel: Channel;
  readonly held: Map<string, Held>;
  readonly openedAt: number;
  lastUsed: number;
  open: boolean;
  timer?: NodeJS.Timeout;
}

/** publish the message again to its partition queue (attempt reset) and wait for the confirm */
export type Republish = (parked: ParkedMessage) => Promise<void>;

export class ParkedIndex {
  private session: Session | undefined;
  private opening: Promise<Session> | undefined;

  constructor(
    private readonly names: TopologyNames,
    private readonly connection: AmqpConnection,
    private readonly settings: ParkedHoldSettings,
    private readonly onError: (what: string, error: unknown) => void,
  ) {}

  async list(stage: StageName | undefined, limit: number): Promise<ParkedMessage[]> {
    const session = await this.ensure();
    return [...session.held.values()]
      .map((h) => h.parked)
      .filter((p) => stage === undefined || p.stage === stage)
      .sort((a, b) => a.parkedAt.getTime() - b.parkedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, Math.max(0, Math.floor(limit)));
  }

  async resend(id: string, republish: Republish): Promise<boolean> {
    const session = await this.ensure();
    const held = session.held.get(id);
    if (!held) return false;
    await republish(held.parked);
    session.held.delete(id);
    if (session.open) session.channel.ack(held.raw);
    return true;
  }

  /** parked messages of a stage held by this process (not counted by the queue's ready count) */
  heldCount(stage: StageName): number {
    if (!this.session?.open) return 0;
    let n = 0;
    for (const h of this.session.held.values()) if (h.parked.stage === stage) n++;
    return n;
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await this.release(session);
  }

  private async ensure(): Promise<Session> {
    const current = this.session;
    if (current?.open) {
      current.lastUsed = Date.now();
      return current;
    }
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<Session> {
    const link = this.connection.require('read parked messages');
    const channel = await link.connection.createChannel();
    const now = Date.now();
    const session: Session = { channel, held: new Map(), openedAt: now, lastUsed: now, open: true };
    channel.on('error', (error: Error) => this.onError('parked-messages channel error', error));
    channel.on('close', () => {
      session.open = false;
      session.held.clear();
      clearTimeout(session.timer);
      if (this.session === session) this.session = undefined;
    });
    try {
      await channel.prefetch(this.settings.maxHeld);
      for (const stage of STAGES) {
        await channel.consume(parkedQueue(this.names, stage), (raw) => raw && this.take(session, stage, raw), { noAck: false });
      }
      await this.settle(channel);
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
    this.session = session;
    this.armTimer(session);
    return session;
  }

  private take(session: Session, stage: StageName, raw: ConsumeMessage): void {
    const parked = decodeParkedMessage(stage, raw);
    if (session.held.has(parked.id)) {
      // the same message parked twice (its first ack was lost with a connection): keep one copy
      session.channel.ack(raw);
      return;
    }
    session.held.set(parked.id, { parked, raw });
  }

  /** Wait until the broker has handed this session every parked message that nobody else holds. */
  private async settle(channel: Channel): Promise<void> {
    const deadline = Date.now() + this.settings.settleMs;
    let settledOnce = false;
    for (;;) {
      let ready = 0;
      for (const stage of STAGES) ready += (await channel.checkQueue(parkedQueue(this.names, stage))).messageCount;
      // one more round trip after the count reaches 0, so deliveries already on the wire are taken
      if (ready === 0 && settledOnce) return;
      if (ready === 0) settledOnce = true;
      if (Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private armTimer(session: Session): void {
    const due = Math.min(session.lastUsed + this.settings.holdMs, session.openedAt + this.settings.maxHoldMs);
    session.timer = setTimeout(() => {
      if (!session.open) return;
      const now = Date.now();
      if (now >= session.lastUsed + this.settings.holdMs || now >= session.openedAt + this.settings.maxHoldMs) {
        if (this.session === session) this.session = undefined;
        void this.release(session);
      } else {
        this.armTimer(session);
      }
    }, Math.max(0, due - Date.now()));
    session.timer.unref();
  }

  private async release(session: Session): Promise<void> {
    clearTimeout(session.timer);
    if (!session.open) return;
    session.open = false;
    await session.channel.close().catch(() => undefined);
  }
}
