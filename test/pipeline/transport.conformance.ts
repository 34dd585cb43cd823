/**
 * The Transport contract, as one suite that every implementation runs (local journal, RabbitMQ).
 * It tests only what src/pipeline/transport.ts promises:
 *
 * - publish resolves once the message is durable; a consumer of that stage then receives it with
 *   the same stage, key and payload (a JSON value), a non-empty id, attempt 1 and a publishedAt date.
 * - A handler that resolves acks: the message is never delivered again.
 * - Crash: a message whose handler never finished, in a transport that was abandoned, is delivered again by
 *   a transport reopened over the same storage, with the SAME id and payload and attempt ≥ 2
 *   (an AMQP transport can tell from the broker's `redelivered` flag / delivery count).
 * - A handler that throws is redelivered (attempt 2, 3, …) with backoff; after `maxAttempts` failed
 *   deliveries the message is parked with a reason containing the error's message. `UnrecoverableError`
 *   parks at the first failure, and the reason names it. A parked message no longer holds back its key.
 * - One key's messages are handled one at a time and in publish order; different keys run in parallel,
 *   at most `concurrency` (default 1) at once. A message waiting for a retry holds back its own key only.
 * - resend(id) of a parked message delivers it again with attempt 1 (its id may change) and returns true;
 *   resend of an id that is not parked returns false.
 * - stats() lists all three stages, zeros included; listParked filters by stage and honours the limit.
 * - Consumer.stop() waits for handlers in flight, and their acks are kept.
 *
 * The factory gives a transport over fresh, empty storage. `reopen()` simulates the process dying and
 * restarting: it returns a new transport over the same durable storage; the previous transport is abandoned
 * (not closed — its handler never finishes), and reopen may cut it off (close its connection) as a crash would.
 * `cleanup()` closes the newest transport and frees the storage; abandoned transports are not closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UnrecoverableError, type StageMessage, type StageName, type Transport } from '../../src/pipeline/transport.js';
import { gate, never, sleep, waitFor } from './support/wait-for.js';

export interface TransportUnderTest {
  readonly transport: Transport;
  reopen(): Promise<Transport>;
  cleanup(): Promise<void>;
}

export type TransportFactory = () => Promise<TransportUnderTest>;

/** short backoffs so retries take milliseconds */
const FAST_RETRY = { backoffMs: 5, maxBackoffMs: 20 } as const;

interface Numbered {
  readonly n: number;
}

async function statsOf(transport: Transport, stage: StageName) {
  const stats = await transport.stats();
  return stats.find((s) => s.stage === stage);
}

async function drained(transport: Transport, stage: StageName, parked = 0): Promise<boolean> {
  const s = await statsOf(transport, stage);
  return s !== undefined && s.ready === 0 && s.inFlight === 0 && s.parked === parked;
}

export function describeTransportConformance(name: string, factory: TransportFactory): void {
  describe(`Transport conformance: ${name}`, { timeout: 60_000 }, () => {
    let current: TransportUnderTest | undefined;
    const open = async (): Promise<TransportUnderTest> => (current = await factory());
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    it('publish resolves, then a consumer of that stage receives the payload (and no other stage does)', async () => {
      const { transport } = await open();
      const payload = { text: 'Ünïcødé ✓ "quoted" \\ back', nested: { list: [1, 'two', null, { three: 3 }] }, yes: true, n: 1.5 };
      await transport.publish('records', 'person-1', payload);
      await transport.publish('inbound', 'person-1', { other: 'stage' });

      const records: StageMessage[] = [];
      const inbound: StageMessage[] = [];
      transport.consume('records', async (m) => void records.push(m));
      transport.consume('inbound', async (m) => void inbound.push(m));
      await waitFor('both deliveries', () => records.length === 1 && inbound.length === 1);

      const [message] = records;
      expect(message).toMatchObject({ stage: 'records', key: 'person-1', attempt: 1 });
      expect(message?.payload).toEqual(payload);
      expect(typeof message?.id).toBe('string');
      expect(message?.id.length).toBeGreaterThan(0);
      expect(message?.publishedAt).toBeInstanceOf(Date);
      expect(Number.isNaN(message?.publishedAt.getTime())).toBe(false);
      expect(inbound[0]).toMatchObject({ stage: 'inbound', key: 'person-1', payload: { other: 'stage' } });
    });

    it('an acknowledged message is not delivered again', async () => {
      const { transport } = await open();
      await transport.publish('records', 'k', { n: 1 });
      const first: number[] = [];
      const consumer = transport.consume<Numbered>('records', async (m) => void first.push(m.payload.n));
      await waitFor('first delivery', () => first.length === 1);
      await consumer.stop();
      await waitFor('stage drained after ack', () => drained(transport, 'records'));

      // same key ⇒ in order: had n=1 survived its ack, it would come before n=2
      await transport.publish('records', 'k', { n: 2 });
      const second: number[] = [];
      transport.consume<Numbered>('records', async (m) => void second.push(m.payload.n));
      await waitFor('the later message', () => second.length >= 1);
      expect(second[0]).toBe(2);
      expect(first).toEqual([1]);
    });

    it('a message whose consumer died in the handler is delivered again after reopening, with attempt ≥ 2', async () => {
      const env = await open();
      await env.transport.publish('records', 'crash-key', { n: 7, note: 'survives a crash' });
      const seen: StageMessage[] = [];
      env.transport.consume('records', (m) => {
        seen.push(m);
        return never();
      });
      await waitFor('the first delivery', () => seen.length === 1);

      const reopened = await env.reopen();
      const again: StageMessage[] = [];
      reopened.consume('records', async (m) => void again.push(m));
      await waitFor('the redelivery', () => again.length === 1);

      expect(again[0]?.id).toBe(seen[0]?.id);
      expect(again[0]?.key).toBe('crash-key');
      expect(again[0]?.payload).toEqual({ n: 7, note: 'survives a crash' });
      expect(again[0]?.attempt).toBeGreaterThanOrEqual(2);
      await waitFor('stage drained after the redelivery is acked', () => drained(reopened, 'records'));
    });

    it('a failing handler is retried with backoff and the message acked when it succeeds', async () => {
      const { transport } = await open();
      await transport.publish('records', 'retry-key', { n: 1 });
      const deliveries: StageMessage[] = [];
      let succeeded = false;
      transport.consume(
        'records',
        async (m) => {
          deliveries.push(m);
          if (m.attempt < 3) throw new Error(`transient failure ${m.attempt}`);
          succeeded = true;
        },
        { maxAttempts: 5, ...FAST_RETRY },
      );
      await waitFor('success on the third attempt', () => succeeded);
      await waitFor('stage drained', () => drained(transport, 'records'));

      expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
      expect(new Set(deliveries.map((d) => d.id)).size).toBe(1);
      expect(deliveries.every((d) => (d.payload as Numbered).n === 1)).toBe(true);
      expect(await transport.listParked()).toEqual([]);
    });

    it('a message that keeps failing is parked after maxAttempts with its reason, and its key flows on', async () => {
      const { transport } = await open();
      await transport.publish('records', 'poison-key', { n: 1 });
      await transport.publish('records', 'poison-key', { n: 2 });
      const log: string[] = [];
      transport.consume<Numbered>(
        'records',
        async (m) => {
          log.push(`${m.payload.n}@${m.attempt}`);
          if (m.payload.n === 1) throw new Error('no mapping for ZZZ^Z99 (channel acme-adt)');
        },
        { maxAttempts: 3, ...FAST_RETRY },
      );
      await waitFor('the next message of the key', () => log.includes('2@1'));
      const parked = await waitFor('the parked message', async () => {
        const list = await transport.listParked('records');
        return list.length === 1 ? list : undefined;
      });

      expect(log).toEqual(['1@1', '1@2', '1@3', '2@1']);
      expect(parked[0]).toMatchObject({ stage: 'records', key: 'poison-key', payload: { n: 1 } });
      expect(parked[0]?.reason).toContain('no mapping for ZZZ^Z99 (channel acme-adt)');
      expect(parked[0]?.parkedAt).toBeInstanceOf(Date);
      expect(await transport.listParked('inbound')).toEqual([]);
      await waitFor('only the parked message left', () => drained(transport, 'records', 1));
    });

    it('UnrecoverableError parks the message at the first failure', async () => {
      const { transport } = await open();
      await transport.publish('inbound', 'bad-key', { n: 1 });
      await transport.publish('inbound', 'bad-key', { n: 2 });
      const log: string[] = [];
      transport.consume<Numbered>(
        'inbound',
        async (m) => {
          log.push(`${m.payload.n}@${m.attempt}`);
          if (m.payload.n === 1) throw new UnrecoverableError('PID-3 is empty: no patient identifier');
        },
        { maxAttempts: 5, ...FAST_RETRY },
      );
      await waitFor('the next message of the key', () => log.includes('2@1'));
      const [parked] = await waitFor('the parked message', async () => {
        const list = await transport.listParked();
        return list.length === 1 ? list : undefined;
      });

      expect(log).toEqual(['1@1', '2@1']);
      expect(parked).toMatchObject({ stage: 'inbound', key: 'bad-key', payload: { n: 1 } });
      expect(parked?.reason).toContain('PID-3 is empty: no patient identifier');
      expect(parked?.reason).toContain('UnrecoverableError');
    });

    it('handles each key in publish order and one at a time, many keys in parallel up to `concurrency`', async () => {
      const { transport } = await open();
      const keys = Array.from({ length: 16 }, (_, i) => `patient-${i}`);
      const perKey = 12;
      for (let n = 0; n < perKey; n++) {
        for (const key of keys) await transport.publish('records', key, { n });
      }
      const order = new Map<string, number[]>();
      const busyKeys = new Set<string>();
      const overlaps: string[] = [];
      let running = 0;
      let maxRunning = 0;
      let done = 0;
      transport.consume<Numbered>(
        'records',
        async (m) => {
          if (busyKeys.has(m.key)) overlaps.push(m.key);
          busyKeys.add(m.key);
          maxRunning = Math.max(maxRunning, ++running);
          await sleep(m.payload.n % 3); // uneven handler times shuffle the keys
          running--;
          busyKeys.delete(m.key);
          order.set(m.key, [...(order.get(m.key) ?? []), m.payload.n]);
          done++;
        },
        { concurrency: 6 },
      );
      await waitFor('every message', () => done === keys.length * perKey);

      const expected = Array.from({ length: perKey }, (_, n) => n);
      for (const key of keys) expect(order.get(key), key).toEqual(expected);
      expect(overlaps).toEqual([]);
      expect(maxRunning).toBeLessThanOrEqual(6);
      expect(maxRunning).toBeGreaterThan(1);
    });

    it('delivers one message at a time by default', async () => {
      const { transport } = await open();
      for (let n = 0; n < 6; n++) await transport.publish('changed', `key-${n}`, { n });
      let running = 0;
      let maxRunning = 0;
      let done = 0;
      transport.consume('changed', async () => {
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(2);
        running--;
        done++;
      });
      await waitFor('all six', () => done === 6);
      expect(maxRunning).toBe(1);
    });

    it('a message waiting for a retry holds back its own key only', async () => {
      const { transport } = await open();
      for (let n = 1; n <= 3; n++) await transport.publish('records', 'stuck', { n });
      let released = false;
      let stuckFailures = 0;
      const log: string[] = [];
      transport.consume<Numbered>(
        'records',
        async (m) => {
          if (m.key === 'stuck' && m.payload.n === 1 && !released) {
            stuckFailures++;
            throw new Error('downstream not ready');
          }
          log.push(`${m.key}/${m.payload.n}`);
        },
        { concurrency: 4, maxAttempts: 10_000, backoffMs: 5, maxBackoffMs: 25 },
      );
      await waitFor('the stuck message to fail once', () => stuckFailures >= 1);

      const freeKeys = Array.from({ length: 8 }, (_, i) => `free-${i}`);
      for (let n = 1; n <= 3; n++) for (const key of freeKeys) await transport.publish('records', key, { n });
      await waitFor('every other key to flow past the stuck one', () => log.length === freeKeys.length * 3);
      expect(log.some((entry) => entry.startsWith('stuck/'))).toBe(false);

      released = true;
      await waitFor('the stuck key to finish', () => log.length === freeKeys.length * 3 + 3);
      expect(log.filter((entry) => entry.startsWith('stuck/'))).toEqual(['stuck/1', 'stuck/2', 'stuck/3']);
      for (const key of freeKeys) {
        expect(log.filter((entry) => entry.startsWith(`${key}/`))).toEqual([`${key}/1`, `${key}/2`, `${key}/3`]);
      }
    });

    it('resend puts a parked message back: delivered again with attempt 1', async () => {
      const { transport } = await open();
      await transport.publish('records', 'resend-key', { n: 1 });
      let refuse = true;
      const log: StageMessage[] = [];
      transport.consume('records', async (m) => {
        log.push(m);
        if (refuse) throw new UnrecoverableError('code table missing');
      });
      const [parked] = await waitFor('the parked message', async () => {
        const list = await transport.listParked('records');
        return list.length === 1 ? list : undefined;
      });
      expect(parked).toBeDefined();

      refuse = false;
      expect(await transport.resend(parked!.id)).toBe(true);
      await waitFor('the resent delivery', () => log.length === 2);
      expect(log[1]).toMatchObject({ key: 'resend-key', payload: { n: 1 }, attempt: 1 });
      await waitFor('stage drained', () => drained(transport, 'records'));
      expect(await transport.listParked()).toEqual([]);
      expect(await transport.resend(parked!.id)).toBe(false);
      expect(await transport.resend('no-such-message')).toBe(false);
    });

    it('listParked filters by stage and honours the limit', async () => {
      const { transport } = await open();
      for (let n = 0; n < 3; n++) await transport.publish('records', `r-${n}`, { n });
      await transport.publish('inbound', 'i-0', { n: 9 });
      const refuse = async (): Promise<void> => {
        throw new UnrecoverableError('refused');
      };
      transport.consume('records', refuse);
      transport.consume('inbound', refuse);
      await waitFor('four parked', async () => (await transport.listParked()).length === 4);

      expect(await transport.listParked('records')).toHaveLength(3);
      expect(await transport.listParked('records', 2)).toHaveLength(2);
      const inbound = await transport.listParked('inbound');
      expect(inbound).toHaveLength(1);
      expect(inbound[0]).toMatchObject({ stage: 'inbound', key: 'i-0', payload: { n: 9 } });
      expect(await transport.listParked('changed')).toEqual([]);
    });

    it('stats count ready, in-flight and parked messages for every stage', async () => {
      const { transport } = await open();
      const empty = await transport.stats();
      expect(empty.map((s) => s.stage).sort()).toEqual(['changed', 'inbound', 'records']);
      for (const s of empty) expect(s).toMatchObject({ ready: 0, inFlight: 0, parked: 0 });

      for (const key of ['a', 'b', 'c']) await transport.publish('changed', key, { key });
      await waitFor('three ready', async () => (await statsOf(transport, 'changed'))?.ready === 3);
      for (const stage of ['inbound', 'records'] as const) {
        expect(await statsOf(transport, stage)).toMatchObject({ ready: 0, inFlight: 0, parked: 0 });
      }

      const hold = gate();
      let handledA = false;
      const consumer = transport.consume('changed', async (m) => {
        if (m.key === 'a') {
          handledA = true;
          await hold.promise;
        }
        if (m.key === 'b') throw new UnrecoverableError('b is refused');
      });
      await waitFor('a in the handler', () => handledA);
      const busy = await waitFor('a counted in flight', async () => {
        const s = await statsOf(transport, 'changed');
        return s && s.inFlight >= 1 ? s : undefined;
      });
      expect(busy.ready + busy.inFlight).toBe(3);
      expect(busy.parked).toBe(0);

      hold.open();
      await waitFor('a and c acked, b parked', () => drained(transport, 'changed', 1));
      await consumer.stop();
    });

    it('batch option: ready messages of different keys come together, each key in publish order, each acked once', async () => {
      const { transport } = await open();
      const keys = ['batch-a', 'batch-b', 'batch-c', 'batch-d'];
      for (let n = 1; n <= 3; n++) for (const key of keys) await transport.publish('records', key, { n });
      const batches: StageMessage<Numbered>[][] = [];
      const single: StageMessage<Numbered>[] = [];
      transport.consume<Numbered>('records', async (m) => void single.push(m), {
        ...FAST_RETRY,
        batch: {
          maxMessages: 3,
          handler: async (messages) => {
            batches.push([...messages]);
            return messages.map(() => ({ ok: true as const }));
          },
        },
      });
      await waitFor('every message', () => batches.flat().length + single.length >= 12);
      await waitFor('stage drained', () => drained(transport, 'records'));

      const handled = batches.flat();
      expect(single).toEqual([]);
      expect(handled).toHaveLength(12);
      expect(batches.every((b) => b.length <= 3 && new Set(b.map((m) => m.key)).size === b.length)).toBe(true);
      expect(batches.some((b) => b.length > 1)).toBe(true);
      for (const key of keys) expect(handled.filter((m) => m.key === key).map((m) => m.payload.n)).toEqual([1, 2, 3]);
      expect(handled.every((m) => m.attempt === 1)).toBe(true);
    });

    it('batch option: a message failing in its batch is retried alone, then parked; the rest of the batch is acked', async () => {
      const { transport } = await open();
      for (const n of [1, 2, 3]) await transport.publish('records', `batch-fail-${n}`, { n });
      const batched: number[] = [];
      const retried: string[] = [];
      transport.consume<Numbered>(
        'records',
        async (m) => {
          retried.push(`${m.payload.n}@${m.attempt}`);
          throw new Error(`still cannot apply ${m.payload.n}`);
        },
        {
          maxAttempts: 3,
          ...FAST_RETRY,
          batch: {
            maxMessages: 10,
            handler: async (messages) =>
              messages.map((m) => {
                batched.push(m.payload.n);
                return m.payload.n === 2 ? { ok: false as const, error: new Error('cannot apply 2') } : { ok: true as const };
              }),
          },
        },
      );
      const parked = await waitFor('the parked message', async () => {
        const list = await transport.listParked('records');
        return list.length === 1 ? list : undefined;
      });
      await waitFor('only the parked message left', () => drained(transport, 'records', 1));
      expect(batched.sort()).toEqual([1, 2, 3]);
      expect(retried).toEqual(['2@2', '2@3']);
      expect(parked[0]).toMatchObject({ key: 'batch-fail-2', payload: { n: 2 } });
      expect(parked[0]?.reason).toContain('still cannot apply 2');
    });

    it('batch option: a batch handler that throws fails each of its messages, which are retried alone', async () => {
      const { transport } = await open();
      for (const n of [1, 2]) await transport.publish('records', `batch-throw-${n}`, { n });
      const retried: string[] = [];
      transport.consume<Numbered>('records', async (m) => void retried.push(`${m.payload.n}@${m.attempt}`), {
        ...FAST_RETRY,
        batch: {
          maxMessages: 10,
          handler: async () => {
            throw new Error('database unavailable');
          },
        },
      });
      await waitFor('both retried', () => retried.length >= 2);
      await waitFor('stage drained', () => drained(transport, 'records'));
      expect(retried.sort()).toEqual(['1@2', '2@2']);
    });

    it('Consumer.stop waits for the handler in flight and keeps its ack', async () => {
      const { transport } = await open();
      await transport.publish('records', 'stop-key', { n: 1 });
      const hold = gate();
      const handled: number[] = [];
      const consumer = transport.consume<Numbered>('records', async (m) => {
        await hold.promise;
        handled.push(m.payload.n);
      });
      await waitFor('the message in flight', async () => (await statsOf(transport, 'records'))?.inFlight === 1);

      let stopped = false;
      const stopping = consumer.stop().then(() => (stopped = true));
      await sleep(50);
      expect(stopped).toBe(false);
      hold.open();
      await stopping;
      expect(handled).toEqual([1]);

      await transport.publish('records', 'stop-key', { n: 2 });
      const after: number[] = [];
      transport.consume<Numbered>('records', async (m) => void after.push(m.payload.n));
      await waitFor('the later message', () => after.length >= 1);
      expect(after[0]).toBe(2);
    });
  });
}
