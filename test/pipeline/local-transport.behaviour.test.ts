/** Behaviour of the local transport beyond the shared Transport contract. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureJournalSchema } from '../../src/pipeline/journal-schema.js';
import { createLocalTransport, type LocalTransportOptions } from '../../src/pipeline/local-transport.js';
import { UnrecoverableError, type StageName, type Transport } from '../../src/pipeline/transport.js';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { instrument } from './support/instrumented-database.js';
import { gate, never, sleep, waitFor } from './support/wait-for.js';

const FAST: LocalTransportOptions = { pollIntervalMs: 20 };

describe('local transport', { timeout: 60_000 }, () => {
  let db: SqlDatabase;
  const transports: Transport[] = [];
  const open = async (options: LocalTransportOptions = FAST, over: SqlDatabase = db): Promise<Transport> => {
    const transport = await createLocalTransport(over, options);
    transports.push(transport);
    return transport;
  };
  const journalRows = async (): Promise<number> =>
    Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pipeline_journal')).rows[0]?.n);

  beforeAll(async () => {
    db = await openEmbeddedDatabase(undefined);
  });
  afterEach(async () => {
    // transports whose handler never finishes are abandoned, as a crashed process would leave them
    await Promise.race([Promise.all(transports.splice(0).map((t) => t.close())), sleep(200)]);
    await db.query('DELETE FROM pipeline_journal');
  });
  afterAll(async () => {
    await db.close();
  });

  it('deletes acknowledged messages from the journal', async () => {
    const transport = await open();
    for (let n = 0; n < 5; n++) await transport.publish('records', `k${n % 2}`, { n });
    expect(await journalRows()).toBe(5);
    let done = 0;
    transport.consume('records', async () => void done++, { concurrency: 2 });
    await waitFor('all five handled', () => done === 5);
    await waitFor('the journal emptied', async () => (await journalRows()) === 0);
  });

  it('can create the schema and a transport again over the same database without losing messages', async () => {
    const first = await open();
    await first.publish('changed', 'k', { kept: true });
    await ensureJournalSchema(db);
    await ensureJournalSchema(db);
    const second = await open();
    expect((await second.stats()).find((s) => s.stage === 'changed')).toMatchObject({ ready: 1 });
  });

  it('allows one consumer per stage at a time', async () => {
    const transport = await open();
    const consumer = transport.consume('records', async () => undefined);
    expect(() => transport.consume('records', async () => undefined)).toThrow(/stage records already has a consumer/);
    transport.consume('inbound', async () => undefined);
    await consumer.stop();
    await transport.publish('records', 'k', { n: 1 });
    let got = 0;
    transport.consume('records', async () => void got++);
    await waitFor('delivery to the new consumer', () => got === 1);
  });

  it('close waits for handlers in flight, then refuses work and leaves the database open', async () => {
    const transport = await open();
    await transport.publish('records', 'k', { n: 1 });
    const hold = gate();
    let entered = false;
    transport.consume('records', async () => {
      entered = true;
      await hold.promise;
    });
    await waitFor('the handler', () => entered);
    let closed = false;
    const closing = transport.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    hold.open();
    await closing;

    expect(await journalRows()).toBe(0);
    await expect(transport.publish('records', 'k', { n: 2 })).rejects.toThrow(/closed: cannot publish/);
    expect(() => transport.consume('records', async () => undefined)).toThrow(/closed: cannot consume/);
  });

  it('keeps call order per key for concurrent publishes, with awkward keys and payloads intact', async () => {
    const transport = await open();
    const keys = ['NULL', 'k,1', 'k"2\\', '{x}', ''];
    const calls = Array.from({ length: 200 }, (_, n) => ({ key: keys[n % keys.length]!, payload: { n, text: `"q" \\ {a,b} NULL ü ${n}` } }));
    await Promise.all(calls.map((c) => transport.publish('records', c.key, c.payload)));

    const seen = new Map<string, unknown[]>();
    let done = 0;
    transport.consume(
      'records',
      async (m) => {
        seen.set(m.key, [...(seen.get(m.key) ?? []), m.payload]);
        done++;
      },
      { concurrency: 4 },
    );
    await waitFor('every message', () => done === calls.length);
    for (const key of keys) {
      expect(seen.get(key), `key ${JSON.stringify(key)}`).toEqual(calls.filter((c) => c.key === key).map((c) => c.payload));
    }
  });

  it('fails only the publish whose payload the database cannot store, not the others written with it', async () => {
    const transport = await open();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) => transport.publish('records', `k${n}`, { text: n === 7 ? 'nul \u0000 byte' : `fine ${n}` })),
    );
    const rejected = results.flatMap((r, n) => (r.status === 'rejected' ? [n] : []));
    expect(rejected).toEqual([7]);
    expect((await transport.stats()).find((s) => s.stage === 'records')).toMatchObject({ ready: 19 });
  });

  it('takes publish and retry times from the injected clock', async () => {
    let now = new Date('2030-01-01T08:00:00.000Z');
    const transport = await open({ pollIntervalMs: 20, clock: () => now });
    await transport.publish('records', 'k', { n: 1 });
    const attempts: number[] = [];
    transport.consume(
      'records',
      async (m) => {
        attempts.push(m.attempt);
        expect(m.publishedAt.toISOString()).toBe('2030-01-01T08:00:00.000Z');
        if (m.attempt === 1) throw new Error('try later');
      },
      { backoffMs: 60_000, maxBackoffMs: 60_000 },
    );
    await waitFor('the retry to be scheduled', async () => {
      const { rows } = await db.query<{ state: string; available_at: Date }>('SELECT state, available_at FROM pipeline_journal');
      return rows[0]?.state === 'ready' && attempts.length === 1 ? rows[0] : undefined;
    }).then((row) => {
      const delay = row.available_at.getTime() - now.getTime();
      expect(delay).toBeGreaterThanOrEqual(48_000);
      expect(delay).toBeLessThanOrEqual(60_000);
    });
    await sleep(150); // several poll intervals: the retry is not due on the injected clock
    expect(attempts).toEqual([1]);

    now = new Date(now.getTime() + 61_000);
    await waitFor('the retry once the clock has moved on', () => attempts.length === 2);
    expect(attempts).toEqual([1, 2]);
  });

  it('parks a message the process died on maxAttempts times, without calling the handler again', async () => {
    await (await open()).publish('records', 'k', { n: 1 });
    for (let delivery = 1; delivery <= 2; delivery++) {
      const attempts: number[] = [];
      (await open()).consume('records', (m) => (attempts.push(m.attempt), never()), { maxAttempts: 2 });
      await waitFor(`delivery ${delivery}`, () => attempts.length === 1);
      expect(attempts).toEqual([delivery]);
    }
    const restarted = await open();
    await restarted.publish('records', 'k', { n: 2 });
    const handled: number[] = [];
    restarted.consume<{ n: number }>('records', async (m) => void handled.push(m.payload.n), { maxAttempts: 2 });
    await waitFor('the next message of the key', () => handled.length === 1);
    expect(handled).toEqual([2]);
    const [parked] = await restarted.listParked('records');
    expect(parked).toMatchObject({ key: 'k', payload: { n: 1 }, attempt: 2 });
    expect(parked?.reason).toMatch(/^UnrecoverableError: not acknowledged after 2 deliveries/);
  });

  it('resend gives the message a new id at the end of its stage', async () => {
    const transport = await open();
    await transport.publish('records', 'k', { n: 1 });
    const handled: number[] = [];
    let consumer = transport.consume<{ n: number }>('records', async (m) => {
      if (m.payload.n === 1 && handled.length === 0) throw new UnrecoverableError('refused once');
      handled.push(m.payload.n);
    });
    const [parked] = await waitFor('parked', async () => {
      const list = await transport.listParked();
      return list.length === 1 ? list : undefined;
    });
    await consumer.stop();
    await transport.publish('records', 'k', { n: 2 });
    expect(await transport.resend(parked!.id)).toBe(true);

    const ids: string[] = [];
    consumer = transport.consume<{ n: number }>('records', async (m) => {
      ids.push(m.id);
      handled.push(m.payload.n);
    });
    await waitFor('both', () => handled.length === 2);
    expect(handled).toEqual([2, 1]);
    expect(BigInt(ids[1]!)).toBeGreaterThan(BigInt(parked!.id));
  });

  it('answers false to resend of anything that is not a parked journal id', async () => {
    const transport = await open();
    for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999', '']) expect(await transport.resend(id)).toBe(false);
  });

  it('reports database errors and keeps dispatching once the database answers again', async () => {
    const flaky = instrument(db);
    const errors: unknown[] = [];
    const transport = await open({ pollIntervalMs: 20, onError: (e) => errors.push(e) }, flaky);
    for (let n = 0; n < 3; n++) await transport.publish('records', 'k', { n });
    flaky.failNext(/WITH due AS/, 3);
    const handled: number[] = [];
    transport.consume<{ n: number }>('records', async (m) => {
      handled.push(m.payload.n);
      if (handled.length === 1) flaky.failNext(/^DELETE FROM pipeline_journal/, 2);
    });
    await waitFor('all three', () => handled.length === 3);
    await waitFor('the journal emptied', async () => (await journalRows()) === 0);
    expect(handled).toEqual([0, 1, 2]); // a failed ack write is retried, not turned into a redelivery
    expect(errors.length).toBeGreaterThanOrEqual(5);
    expect(String(errors[0])).toContain('connection to the database was lost');
  });

  it('sends no queries while idle', async () => {
    const counted = instrument(db);
    const transport = await open({ pollIntervalMs: 10 }, counted);
    let done = 0;
    transport.consume('records', async () => void done++);
    for (let n = 0; n < 3; n++) await transport.publish('records', `k${n}`, { n });
    await waitFor('all handled and acked', async () => done === 3 && (await journalRows()) === 0);
    await sleep(30);
    const before = counted.statements.length;
    await sleep(200); // twenty poll intervals
    expect(counted.statements.slice(before)).toEqual([]);
  });

  it('rejects unknown stages and bad consume options, saying what is wrong', async () => {
    const transport = await open();
    await expect(transport.publish('outbound' as StageName, 'k', {})).rejects.toThrow(/unknown stage "outbound": expected one of inbound, records, changed/);
    expect(() => transport.consume('records', async () => undefined, { concurrency: 0 })).toThrow(/concurrency must be a whole number of at least 1, got 0/);
    expect(() => transport.consume('records', async () => undefined, { maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => transport.consume('records', async () => undefined, { backoffMs: -1 })).toThrow(/backoffMs must be a number of milliseconds/);
  });
});
