/**
 * Several AMQP transports on the same queues, each standing for one worker process, with one shared
 * record of what every "process" handled: per-key order, overlaps between processes, and counts.
 * A publisher transport that never consumes stands for the ingest process.
 */
import { createAmqpTransport, type AmqpTransport } from '../../../src/pipeline/amqp-transport.js';
import type { StageMessage } from '../../../src/pipeline/transport.js';
import { TEST_AMQP_OPTIONS, uniquePrefix } from './amqp-factories.js';
import { never, sleep } from './wait-for.js';

export interface Sequenced {
  readonly n: number;
}

export interface ClusterWorker {
  readonly name: string;
  readonly transport: AmqpTransport;
  /** abandoned: like a killed process, it does nothing more */
  dead: boolean;
  handled: number;
}

export class WorkerCluster {
  readonly prefix = uniquePrefix('scale-out');
  readonly workers: ClusterWorker[] = [];
  /** per key, the sequence numbers in the order their handlers finished */
  readonly log = new Map<string, number[]>();
  /** "key: A and B" for every handler that started while another process was handling the same key */
  readonly overlaps: string[] = [];
  private readonly busy = new Map<string, ClusterWorker>();
  private publisher: AmqpTransport | undefined;

  constructor(
    private readonly url: string,
    readonly partitions: number,
  ) {}

  async ingest(): Promise<AmqpTransport> {
    this.publisher ??= await this.open();
    return this.publisher;
  }

  /** A new worker "process" consuming `records`. */
  async join(name: string): Promise<ClusterWorker> {
    const worker: ClusterWorker = { name, transport: await this.open(), dead: false, handled: 0 };
    this.workers.push(worker);
    worker.transport.consume<Sequenced>('records', (m) => this.handle(worker, m), { concurrency: 4 });
    return worker;
  }

  /** A clean stop: drains its handlers and hands its partitions over. */
  async leave(worker: ClusterWorker): Promise<void> {
    this.workers.splice(this.workers.indexOf(worker), 1);
    await worker.transport.close();
  }

  /** A crash: its connection is cut, its handlers never finish. */
  abandon(worker: ClusterWorker): void {
    this.workers.splice(this.workers.indexOf(worker), 1);
    worker.dead = true;
    for (const [key, holder] of this.busy) if (holder === worker) this.busy.delete(key);
    worker.transport.abandon();
  }

  get live(): readonly ClusterWorker[] {
    return this.workers;
  }

  /** Every partition held by exactly one live worker, shares balanced (differ by at most one). */
  settled(): boolean {
    const held = this.workers.map((w) => w.transport.partitionsHeld('records'));
    const all = held.flat().sort((a, b) => a - b);
    const sizes = held.map((h) => h.length);
    return (
      all.length === this.partitions &&
      all.every((p, i) => p === i) &&
      Math.max(...sizes) - Math.min(...sizes) <= 1
    );
  }

  /** true when every key has handled 0 … perKey − 1 at least once */
  complete(keys: readonly string[], perKey: number): boolean {
    return keys.every((key) => new Set(this.log.get(key)).size === perKey);
  }

  async cleanup(): Promise<void> {
    for (const w of this.workers.splice(0)) await w.transport.close().catch(() => undefined);
    await this.publisher?.close().catch(() => undefined);
    const janitor = await this.open();
    try {
      await janitor.deleteQueues();
    } finally {
      await janitor.close();
    }
  }

  private open(): Promise<AmqpTransport> {
    return createAmqpTransport({ url: this.url, queuePrefix: this.prefix, partitions: this.partitions, ...TEST_AMQP_OPTIONS });
  }

  private async handle(worker: ClusterWorker, m: StageMessage<Sequenced>): Promise<void> {
    if (worker.dead) return never();
    const holder = this.busy.get(m.key);
    if (holder) this.overlaps.push(`${m.key}: ${holder.name} and ${worker.name}`);
    this.busy.set(m.key, worker);
    await sleep(m.payload.n % 3); // uneven handler times
    if (worker.dead) return never();
    if (this.busy.get(m.key) === worker) this.busy.delete(m.key);
    this.log.set(m.key, [...(this.log.get(m.key) ?? []), m.payload.n]);
    worker.handled++;
  }
}

/** The sequence numbers of one key in the order they were first handled. */
export function firstHandled(order: readonly number[]): number[] {
  const seen = new Set<number>();
  return order.filter((n) => !seen.has(n) && seen.add(n));
}
