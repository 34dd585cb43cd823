/**
 * Local (embedded) transport throughput on a PGlite data directory. Run: npx tsx bench/local-transport.ts [N]
 * N messages (default 5000) over 100 keys, ~1 KB payloads. Prints figures only.
 *
 *   publish, one at a time   — each publish awaited (its commit) before the next
 *   publish, 50 concurrent   — 50 publishers at once, as several channels would
 *   drain backlog            — consume what is in the journal (concurrency 8, handler does nothing)
 *   publish + consume        — publishing and consuming at the same time, end to end
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTransport } from '../src/pipeline/local-transport.js';
import type { Transport } from '../src/pipeline/transport.js';
import { openEmbeddedDatabase } from '../src/store/pglite-database.js';

const N = Number(process.argv[2] ?? 5000);
const KEYS = 100;
const CONCURRENCY = 8;

const payload = (i: number) => ({
  channel: 'acme-adt',
  messageId: `MSG${i}`,
  segments: Array.from({ length: 12 }, (_, s) => `SEG${s}|field one|field two^component|${'x'.repeat(40)}`),
});

interface Figure {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

async function timed(work: () => Promise<void>): Promise<Figure> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

function report(label: string, count: number, figure: Figure): void {
  const rate = Math.round(count / figure.seconds);
  console.log(
    `${label.padEnd(26)} ${String(count).padStart(6)} msgs  ${figure.seconds.toFixed(2).padStart(6)} s  ` +
      `${String(rate).padStart(6)} msgs/s  (cpu ${figure.cpuSeconds.toFixed(2)} s)`,
  );
}

async function publishAll(transport: Transport, from: number, count: number, parallel: number): Promise<void> {
  let next = from;
  const end = from + count;
  const worker = async () => {
    while (next < end) {
      const i = next++;
      await transport.publish('records', `patient-${i % KEYS}`, payload(i));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

function drain(transport: Transport, expected: number): { done: Promise<void>; stop: () => Promise<void> } {
  let handled = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const consumer = transport.consume(
    'records',
    async () => {
      if (++handled === expected) finish();
    },
    { concurrency: CONCURRENCY },
  );
  return { done, stop: () => consumer.stop() };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-bench-journal-'));
  const db = await openEmbeddedDatabase(dir);
  try {
    const transport = await createLocalTransport(db);
    console.log(`local transport, PGlite data dir, ${KEYS} keys, consumer concurrency ${CONCURRENCY}`);

    report('publish, one at a time', N, await timed(() => publishAll(transport, 0, N, 1)));
    report('publish, 50 concurrent', N, await timed(() => publishAll(transport, N, N, 50)));

    let backlog = drain(transport, 2 * N);
    report('drain backlog', 2 * N, await timed(() => backlog.done));
    await backlog.stop();

    backlog = drain(transport, N);
    report('publish + consume', N, await timed(async () => {
      await publishAll(transport, 2 * N, N, 50);
      await backlog.done;
    }));
    await backlog.stop();
    await transport.close();
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
