/**
 * The floor under the ACK latency: while a phase runs, a side publisher in the bench sends small
 * persistent messages to a scratch quorum queue of its own, one at a time at `rate`/s, each awaiting
 * its publisher confirm, as intake does. Its confirm latency is what RabbitMQ (and the machine) give
 * any publisher at that moment; an ACK cannot be faster. The queue is deleted at the end.
 */
import { performance } from 'node:perf_hooks';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';

export interface BrokerReference {
  /** start sampling (clears earlier samples) */
  start(): void;
  /** stop sampling; the confirm latencies, ms */
  stop(): Promise<number[]>;
  close(): Promise<void>;
}

export async function openBrokerReference(url: string, queue: string, rate = 50): Promise<BrokerReference> {
  const connection: ChannelModel = await connect(url, { noDelay: true });
  const channel: ConfirmChannel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const body = Buffer.alloc(450, 0x41);
  let samples: number[] = [];
  let running: Promise<void> | undefined;
  let stopping = false;
  return {
    start() {
      samples = [];
      stopping = false;
      running = (async () => {
        let next = performance.now();
        while (!stopping) {
          next += 1000 / rate;
          const started = performance.now();
          await new Promise<void>((resolve, reject) => channel.sendToQueue(queue, body, { persistent: true }, (err: unknown) => (err ? reject(err as Error) : resolve())));
          samples.push(performance.now() - started);
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      })();
    },
    async stop() {
      stopping = true;
      await running;
      return samples;
    },
    async close() {
      stopping = true;
      await running?.catch(() => undefined);
      await channel.deleteQueue(queue).catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
