/**
 * One RabbitMQ connection that comes back: connects, runs `setup` (topology), opens the confirm
 * channel publishes go through, and tells listeners the link is up. When the broker goes away
 * (connection 'close' or 'error', or the publish channel dying), the link is dropped at once —
 * so publishes fail fast instead of hanging — and it reconnects with exponential backoff.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';

export interface ReconnectPolicy {
  /** first delay after losing the broker, in ms */
  readonly minMs: number;
  /** longest delay between attempts, in ms */
  readonly maxMs: number;
}

export interface AmqpLink {
  readonly connection: ChannelModel;
  /** confirm channel for every publish of this link */
  readonly publisher: ConfirmChannel;
  /** increases with every new connection */
  readonly generation: number;
}

export interface ConnectionSettings {
  readonly url: string;
  readonly reconnect: ReconnectPolicy;
  /** shown in the RabbitMQ management UI and `rabbitmqctl list_connections client_properties` */
  readonly connectionName: string;
  /** run on every new connection before it is handed out (declare the topology) */
  readonly setup: (connection: ChannelModel) => Promise<void>;
  readonly logger?: Logger;
}

/** Thrown by operations that need the broker while it is unreachable. */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable AMQP URL)';
  }
}

export function reconnectDelayMs(failures: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(30, Math.max(0, failures - 1));
  const delay = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  return Math.round(delay * (0.8 + 0.2 * random()));
}

export class AmqpConnection {
  private link: AmqpLink | undefined;
  private generation = 0;
  private failures = 0;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly upListeners = new Set<(link: AmqpLink) => void>();
  private readonly downListeners = new Set<() => void>();

  constructor(private readonly settings: ConnectionSettings) {}

  /** First connection: rejects with an actionable error when the broker cannot be reached. */
  async start(): Promise<void> {
    try {
      await this.connectOnce();
    } catch (error) {
      throw new Error(
        `cannot connect to RabbitMQ at ${redactUrl(this.settings.url)}: ${describe(error)}. ` +
          'Check that the broker is running and that JUNCTION_AMQP_URL (amqp://user:password@host:5672/vhost) is right.',
      );
    }
  }

  /** The live link, or undefined while disconnected. */
  current(): AmqpLink | undefined {
    return this.link;
  }

  /** The live link, or a BrokerUnavailableError naming what could not be done. */
  require(operation: string): AmqpLink {
    if (this.link) return this.link;
    throw new BrokerUnavailableError(
      this.closed ? `cannot ${operation}: the AMQP transport is closed` : `cannot ${operation}: RabbitMQ is unreachable (reconnecting)`,
    );
  }

  /** Called with every new link (also the current one, at once, if up). Returns an unsubscribe function. */
  onUp(listener: (link: AmqpLink) => void): () => void {
    this.upListeners.add(listener);
    if (this.link) listener(this.link);
    return () => this.upListeners.delete(listener);
  }

  onDown(listener: () => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  /** Close for good: no reconnect. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const link = this.link;
    this.drop();
    await link?.connection.close().catch(() => undefined);
  }

  /** Tests: cut the connection as a crash would — no clean stop, no reconnect. */
  abandon(): void {
    this.closed = true;
    clearTimeout(this.timer);
    const link = this.link;
    this.drop();
    void link?.connection.close().catch(() => undefined);
  }

  private async connectOnce(): Promise<void> {
    // noDelay: amqplib leaves Nagle's algorithm on, which holds a small write back while earlier data is
    // unacknowledged at TCP level. The broker's TCP ACK usually rides on its confirm, so a publish made
    // while another awaits its confirm could wait for that confirm too, adding to the sender's ACK.
    const connection = await connect(this.settings.url, { noDelay: true, clientProperties: { connection_name: this.settings.connectionName } });
    const generation = ++this.generation;
    let lost = false;
    const onLost = (why: string) => {
      if (lost) return;
      lost = true;
      if (this.link?.generation === generation) {
        this.settings.logger?.warn({ reason: why }, 'RabbitMQ connection lost; reconnecting');
        this.drop();
        this.scheduleReconnect();
      }
    };
    connection.on('error', (error: Error) => onLost(error.message));
    connection.on('close', (error?: Error) => onLost(error?.message ?? 'closed'));
    try {
      await this.settings.setup(connection);
      const publisher = await connection.createConfirmChannel();
      publisher.on('error', (error: Error) => this.settings.logger?.warn({ reason: error.message }, 'RabbitMQ publish channel error'));
      // a channel-level error (e.g. a deleted queue) kills the channel: start over on a new connection
      publisher.on('close', () => {
        if (!lost) void connection.close().catch(() => undefined);
        onLost('publish channel closed');
      });
      if (this.closed) throw new BrokerUnavailableError('closed while connecting');
      if (lost) throw new BrokerUnavailableError('connection lost while setting up');
      this.link = { connection, publisher, generation };
      this.failures = 0;
    } catch (error) {
      lost = true;
      await connection.close().catch(() => undefined);
      throw error;
    }
    for (const listener of this.upListeners) listener(this.link);
  }

  private drop(): void {
    if (!this.link) return;
    this.link = undefined;
    for (const listener of this.downListeners) listener();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    this.failures++;
    const delay = reconnectDelayMs(this.failures, this.settings.reconnect);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.connectOnce()
        .then(() => this.settings.logger?.info({ generation: this.generation }, 'RabbitMQ reconnected'))
        .catch((error: unknown) => {
          this.settings.logger?.warn({ reason: describe(error), failures: this.failures }, 'RabbitMQ reconnect failed');
          this.scheduleReconnect();
        });
    }, delay);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
