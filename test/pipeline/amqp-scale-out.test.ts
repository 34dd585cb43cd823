/**
 * Scale out on the real RabbitMQ: several AMQP transports (worker processes) on the same queues
 * share the partitions through the membership, rebalance when one joins or leaves, take over a
 * crashed one's partitions, and keep every key in order, one handler at a time across processes,
 * through every hand-over. A transport that only publishes (ingest) takes no partitions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { firstHandled, WorkerCluster } from './support/worker-cluster.js';
import { sleep, waitFor } from './support/wait-for.js';

const url = integrationUrl('JUNCTION_TEST_AMQP_URL', 'AMQP scale-out');
const PARTITIONS = 8;

function keysOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `patient-${i}`);
}

if (!url) {
  describe.skip(skippedTitle('JUNCTION_TEST_AMQP_URL', 'AMQP scale-out'), () => it('needs RabbitMQ', () => undefined));
} else {
  describe('AMQP transport scale-out', { timeout: 90_000 }, () => {
    let cluster: WorkerCluster | undefined;
    afterEach(async () => {
      await cluster?.cleanup();
      cluster = undefined;
    });

    async function publishAll(c: WorkerCluster, keys: readonly string[], perKey: number): Promise<void> {
      const ingest = await c.ingest();
      for (let n = 0; n < perKey; n++) for (const key of keys) await ingest.publish('records', key, { n });
    }

    function expectInOrder(c: WorkerCluster, keys: readonly string[], perKey: number): void {
      const expected = Array.from({ length: perKey }, (_, n) => n);
      for (const key of keys) expect(firstHandled(c.log.get(key) ?? []), key).toEqual(expected);
      expect(c.overlaps).toEqual([]);
    }

    it('two workers each take half of the partitions, both handle messages, no key on both at once', async () => {
      const c = (cluster = new WorkerCluster(url, PARTITIONS));
      const ingest = await c.ingest();
      const a = await c.join('a');
      const b = await c.join('b');
      await waitFor('the partitions shared', () => c.settled());
      expect(a.transport.partitionsHeld('records')).toHaveLength(PARTITIONS / 2);
      expect(b.transport.partitionsHeld('records')).toHaveLength(PARTITIONS / 2);
      expect(ingest.memberId).toBeUndefined(); // publishing alone joins nothing: it would be owed a share

      const keys = keysOf(40);
      await publishAll(c, keys, 10);
      await waitFor('every message', () => c.complete(keys, 10));
      expectInOrder(c, keys, 10);
      expect(a.handled).toBeGreaterThan(0);
      expect(b.handled).toBeGreaterThan(0);
      expect(a.handled + b.handled).toBe(keys.length * 10); // clean shares: nothing handled twice
    });

    it('a third worker joining takes a share from both, and messages after it flow to all three', async () => {
      const c = (cluster = new WorkerCluster(url, PARTITIONS));
      const a = await c.join('a');
      const b = await c.join('b');
      await waitFor('two-way split', () => c.settled());
      const third = await c.join('c');
      await waitFor('three-way split', () => c.settled() && third.transport.partitionsHeld('records').length > 0);
      const shares = c.live.map((w) => w.transport.partitionsHeld('records').length).sort();
      expect(shares).toEqual([2, 3, 3]);

      const keys = keysOf(60);
      await publishAll(c, keys, 5);
      await waitFor('every message', () => c.complete(keys, 5));
      expectInOrder(c, keys, 5);
      for (const w of [a, b, third]) expect(w.handled, w.name).toBeGreaterThan(0);
    });

    it('a crashed worker: the survivors take its partitions over and nothing is lost', async () => {
      const c = (cluster = new WorkerCluster(url, PARTITIONS));
      const a = await c.join('a');
      const b = await c.join('b');
      const d = await c.join('d');
      await waitFor('three-way split', () => c.settled());
      const keys = keysOf(30);
      const perKey = 20;
      const publishing = publishAll(c, keys, perKey);
      await waitFor('the doomed worker busy', () => d.handled >= 10);
      c.abandon(d);
      await publishing;
      await waitFor('the survivors own every partition', () => c.settled(), { timeoutMs: 20_000 });
      await waitFor('every message', () => c.complete(keys, perKey), { timeoutMs: 30_000 });
      expectInOrder(c, keys, perKey);
      expect(a.handled).toBeGreaterThan(0);
      expect(b.handled).toBeGreaterThan(0);
    });

    it('per-key order holds through joins, clean leaves and crashes under continuous publishing', async () => {
      const c = (cluster = new WorkerCluster(url, PARTITIONS));
      const keys = keysOf(50);
      const perKey = 30;
      const ingest = await c.ingest();
      const first = await c.join('w1');
      let published = 0;
      const publishing = (async () => {
        for (let n = 0; n < perKey; n++) {
          for (const key of keys) {
            await ingest.publish('records', key, { n });
            published++;
          }
        }
      })();
      const total = keys.length * perKey;
      const at = (share: number) => waitFor(`${share * 100}% published`, () => published >= total * share || published === total, { timeoutMs: 60_000 });
      const handledSoFar = () => [...c.log.values()].reduce((sum, l) => sum + l.length, 0);

      await at(0.1);
      const second = await c.join('w2');
      await at(0.25);
      await c.join('w3');
      await at(0.4);
      await c.leave(first); // clean: drains and hands over
      await at(0.55);
      await waitFor('w2 busy', () => second.handled > 0);
      c.abandon(second); // crash
      await at(0.7);
      await c.join('w4');
      await publishing;
      await waitFor('every message', () => c.complete(keys, perKey), { timeoutMs: 60_000 });
      await sleep(200); // late duplicates would show here
      expectInOrder(c, keys, perKey);
      expect(handledSoFar()).toBeGreaterThanOrEqual(total);
      await waitFor('w3 and w4 share the partitions', () => c.settled(), { timeoutMs: 20_000 });
    });
  });
}
