/**
 * What the AMQP transport does beyond the shared contract, on the real RabbitMQ: publish refuses at once
 * while the broker is unreachable; it reconnects, declares its topology again and resumes consuming;
 * a delivery cut off mid-handler comes back without overlapping the handler still running; and two
 * transports (two processes) on the same queues keep each key in order when one of them dies; a worker
 * cut off from the broker loses its share of the partitions and takes one again after reconnecting.
 * The broker is taken away through a TCP proxy, so other suites using RabbitMQ are not disturbed.
 */
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { createAmqpTransport, type AmqpTransport } from '../../src/pipeline/amqp-transport.js';
import { partitionOf } from '../../src/pipeline/partition.js';
import type { StageMessage } from '../../src/pipeline/transport.js';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { amqpTransportUnderTest, TEST_AMQP_OPTIONS, uniquePrefix, type AmqpUnderTest } from './support/amqp-factories.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { gate, sleep, waitFor } from './support/wait-for.js';

const url = integrationUrl('JUNCTION_TEST_AMQP_URL', 'AMQP transport behaviour');

function viaProxy(brokerUrl: string, port: number): string {
  const u = new URL(brokerUrl);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

if (!url) {
  describe.skip(skippedTitle('JUNCTION_TEST_AMQP_URL', 'AMQP transport behaviour'), () => it('needs RabbitMQ', () => undefined));
} else {
  describe('AMQP transport behaviour', { timeout: 60_000 }, () => {
    const brokerUrl = new URL(url);
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      cleanups.length = 0;
    });

    async function proxiedTransport(): Promise<{ proxy: TcpProxy; transport: AmqpTransport; prefix: string }> {
      const proxy = await startTcpProxy(brokerUrl.hostname, Number(brokerUrl.port || 5672));
      const prefix = uniquePrefix('behaviour');
      const transport = await createAmqpTransport({
        url: viaProxy(url!, proxy.port),
        queuePrefix: prefix,
        partitions: 4,
        reconnect: { minMs: 20, maxMs: 200 },
        publishTimeoutMs: 60_000,
        membership: TEST_AMQP_OPTIONS.membership,
      });
      cleanups.push(async () => {
        await proxy.close();
        transport.abandon();
        const janitor = await createAmqpTransport({ url: url!, queuePrefix: prefix, partitions: 4 });
        await janitor.deleteQueues();
        await janitor.close();
      });
      return { proxy, transport, prefix };
    }

    it('publish rejects at once while the broker is unreachable, instead of waiting for a confirm', async () => {
      const { proxy, transport } = await proxiedTransport();
      await transport.publish('inbound', 'k', { n: 1 });
      await proxy.cut();
      await waitFor('the transport to notice', () => !transport.connected);
      const outcome = await Promise.race([
        transport.publish('inbound', 'k', { n: 2 }).then(
          () => 'resolved',
          (error: Error) => `rejected: ${error.message}`,
        ),
        sleep(20_000).then(() => 'still waiting'),
      ]);
      expect(outcome).toMatch(/^rejected: .*RabbitMQ is unreachable/);
      await expect(transport.stats()).rejects.toThrow(/unreachable/);
    });

    it('reconnects with backoff, declares its queues again and resumes consuming', async () => {
      const { proxy, transport, prefix } = await proxiedTransport();
      const seen: number[] = [];
      transport.consume<{ n: number }>('records', async (m) => void seen.push(m.payload.n));
      await transport.publish('records', 'k', { n: 1 });
      await waitFor('the first message', () => seen.length === 1);

      await proxy.cut();
      await waitFor('the transport to notice', () => !transport.connected);
      // while it is away, a queue of its topology disappears; the reconnect must declare it again
      const direct = await amqp.connect(url!);
      const channel = await direct.createChannel();
      const queue = `${prefix}.records.${partitionOf('k', 4)}`;
      await channel.deleteQueue(queue);
      await sleep(300); // several reconnect attempts fail against the closed port
      await proxy.restore();

      await waitFor('reconnected', () => transport.connected);
      expect((await channel.checkQueue(queue)).queue).toBe(queue);
      await direct.close();
      await transport.publish('records', 'k', { n: 2 });
      await waitFor('the message published after the reconnect', () => seen.includes(2));
      expect(seen).toEqual([1, 2]);
    });

    it('a delivery cut off mid-handler is redelivered after the reconnect, not beside the handler still running', async () => {
      const { proxy, transport } = await proxiedTransport();
      const hold = gate();
      const log: string[] = [];
      let running = 0;
      let overlapped = false;
      transport.consume<{ n: number }>('records', async (m: StageMessage<{ n: number }>) => {
        if (++running > 1) overlapped = true;
        log.push(`start ${m.payload.n}@${m.attempt}`);
        if (m.payload.n === 1 && m.attempt === 1) await hold.promise;
        log.push(`end ${m.payload.n}@${m.attempt}`);
        running--;
      });
      await transport.publish('records', 'k', { n: 1 });
      await transport.publish('records', 'k', { n: 2 });
      await waitFor('n=1 in the handler', () => log.includes('start 1@1'));
      await proxy.cut();
      await waitFor('disconnected', () => !transport.connected);
      await proxy.restore();
      await waitFor('reconnected', () => transport.connected);
      await sleep(200); // the redelivery arrives and must wait for the handler still running
      expect(log).toEqual(['start 1@1']);
      hold.open();
      await waitFor('both messages after the redelivery', () => log.includes('end 2@1') || log.includes('end 2@2'));
      expect(overlapped).toBe(false);
      expect(log.slice(0, 3)).toEqual(['start 1@1', 'end 1@1', 'start 1@2']);
      expect(log.filter((l) => l.startsWith('end 2'))).toHaveLength(1);
    });

    it('two transports on the same queues: one key stays in order when the active one dies', async () => {
      const env: AmqpUnderTest = await amqpTransportUnderTest(url!);
      cleanups.push(() => env.cleanup());
      const first = env.transport;
      const second = await env.sibling();
      const keys = Array.from({ length: 24 }, (_, i) => `patient-${i}`);
      const perKey = 15;
      const done = new Map<string, number[]>();
      const byProcess = { first: 0, second: 0 };
      let firstAlive = true;
      const handler = (who: 'first' | 'second') => async (m: StageMessage<{ n: number }>) => {
        await sleep(m.payload.n % 3);
        if (who === 'first' && !firstAlive) return new Promise<void>(() => undefined); // a dead process does nothing more
        done.set(m.key, [...(done.get(m.key) ?? []), m.payload.n]);
        byProcess[who]++;
      };
      first.consume('records', handler('first'), { concurrency: 4 });
      second.consume('records', handler('second'), { concurrency: 4 });
      for (let n = 0; n < perKey; n++) for (const key of keys) await first.publish('records', key, { n });

      await waitFor('some work done', () => byProcess.first + byProcess.second >= 60);
      firstAlive = false;
      first.abandon();
      await waitFor('every message handled', () => keys.every((k) => new Set(done.get(k)).size === perKey), { timeoutMs: 40_000 });

      for (const key of keys) {
        const order = done.get(key)!;
        const sorted = [...order].sort((a, b) => a - b);
        expect(order, key).toEqual(sorted); // redeliveries may repeat a message, never reorder
      }
      expect(byProcess.first + byProcess.second).toBeGreaterThanOrEqual(keys.length * perKey);
      expect(byProcess.second).toBeGreaterThan(0);
    });

    it('a worker cut off from the broker loses its share, and rejoins and takes a share again after the reconnect', async () => {
      const { proxy, transport: cutOff, prefix } = await proxiedTransport();
      const steady = await createAmqpTransport({ url: url!, queuePrefix: prefix, partitions: 4, ...TEST_AMQP_OPTIONS });
      cleanups.push(() => steady.close());
      const seen = new Map<string, number[]>();
      const by = { cutOff: 0, steady: 0 };
      const handler = (who: keyof typeof by) => async (m: StageMessage<{ n: number }>) => {
        seen.set(m.key, [...(seen.get(m.key) ?? []), m.payload.n]);
        by[who]++;
      };
      cutOff.consume('records', handler('cutOff'));
      steady.consume('records', handler('steady'));
      const split = () => cutOff.partitionsHeld('records').length === 2 && steady.partitionsHeld('records').length === 2;
      await waitFor('a 2 / 2 split', split);

      await proxy.cut();
      await waitFor('the steady worker owning every partition', () => steady.partitionsHeld('records').length === 4);
      await proxy.restore();
      await waitFor('a 2 / 2 split again', split);

      const keys = Array.from({ length: 20 }, (_, i) => `k-${i}`);
      for (let n = 0; n < 5; n++) for (const key of keys) await steady.publish('records', key, { n });
      await waitFor('every message', () => keys.every((k) => seen.get(k)?.length === 5));
      for (const key of keys) expect(seen.get(key), key).toEqual([0, 1, 2, 3, 4]);
      expect(by.cutOff).toBeGreaterThan(0);
      expect(by.steady).toBeGreaterThan(0);
    });
  });
}
