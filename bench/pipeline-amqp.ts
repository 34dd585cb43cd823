/**
 * End to end over RabbitMQ into PostgreSQL, everything durable, run as production runs it: the compiled
 * engine in separate processes — one ingest (JUNCTION_ROLE=ingest: MLLP → RabbitMQ → ACK) and
 * `--workers` worker processes (JUNCTION_ROLE=worker: map, apply to the store, serve the FHIR API) —
 * configured by environment variables, on a fresh PostgreSQL schema and a unique queue prefix, both
 * removed at the end. Several MLLP connections, each one message at a time (the next after the ACK).
 *
 *   (a) flat out for `--seconds`: messages/s acknowledged, ACK p50/p99/max, then how long until every
 *       message is readable over the FHIR API (so the end-to-end rate);
 *   (b) open loop at `--rate` messages/s for `--rate-seconds`, send times fixed in advance and latency
 *       taken from them: ACK p50/p99/max, and ACK → readable p50/p99 for one message in `--sample`
 *       (its Encounter returned by GET /fhir/Encounter?identifier=…; see bench/pipeline/readable.ts).
 * For each process: event-loop delay, GC pauses and CPU share over the phase, to explain the tails;
 * and the confirm latency RabbitMQ gives a lone publisher meanwhile (the floor under the ACK latency).
 * `--worker-nice 10` lowers the workers' CPU priority, as a deployment that shares one host between
 * ingest and workers would (container CPU shares do the same): the ingest then answers first while the
 * workers catch up. Default 0, and the header line says when it is not.
 * `--workers 0` runs the ingest alone (messages pile up in the queues): the ACK path without the
 * workers, PostgreSQL and the readers competing for the CPU.
 *
 * Needs JUNCTION_TEST_DATABASE_URL and JUNCTION_TEST_AMQP_URL; otherwise says so and exits 0.
 * Run: npm run bench -- pipeline-amqp   (options: npx tsx bench/pipeline-amqp.ts --help)
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { dropSchema, freshSchema } from '../test/support/postgres-schema.js';
import { deleteQueues } from '../test/support/engine.js';
import { adt } from '../test/support/messages.js';
import { compileSources } from './compiled-src.js';
import { fixedRate, flatOut, MllpConnection, type PhaseResult, type Sent } from './pipeline/load.js';
import { fdatasyncLatencies } from './pipeline/disk-probe.js';
import { readIntakeBuckets, summarise, type Buckets } from './pipeline/intake-histogram.js';
import { topSelfTime } from './pipeline/cpu-profile.js';
import { openBrokerReference } from './pipeline/broker-reference.js';
import { startEngineProcess, writeBenchConfig, type EngineProcess, type ProbeReport } from './pipeline/processes.js';
import { parkedCount, startReadablePoller, waitForEncounterCount } from './pipeline/readable.js';

const OPTIONS = {
  connections: 8,
  workers: 1,
  seconds: 10,
  rate: 500,
  'rate-seconds': 20,
  sample: 10,
  'poll-ms': 20,
  patients: 1000,
  /** pipeline.concurrency of the engines: 64 measured ~60% more end to end than the config default of 8 here (1 worker) */
  concurrency: 64,
  'drain-timeout': 300,
  /** niceness of the worker processes (0: same priority as the ingest); see the header comment */
  'worker-nice': 0,
  /** side publisher's rate, messages/s (broker-reference.ts) */
  'reference-rate': 50,
} as const;
type OptionName = keyof typeof OPTIONS;

function option(name: OptionName): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : OPTIONS[name];
  const min = name === 'workers' || name === 'worker-nice' ? 0 : 1;
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} wants a number ≥ ${min}`);
  return value;
}

const PROFILE = process.argv.includes('--cpu-prof');
if (process.argv.includes('--help')) {
  console.log(`npx tsx bench/pipeline-amqp.ts [--cpu-prof] [--name value …]\n  --cpu-prof: profile every engine process, print where its CPU goes\ndefaults:\n${Object.entries(OPTIONS).map(([k, v]) => `  --${k} ${v}`).join('\n')}`);
  process.exit(0);
}

const databaseUrl = process.env['JUNCTION_TEST_DATABASE_URL'];
const amqpUrl = process.env['JUNCTION_TEST_AMQP_URL'];
if (!databaseUrl || !amqpUrl) {
  console.log('pipeline over RabbitMQ: skipped (set JUNCTION_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test and JUNCTION_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672)');
  process.exit(0);
}

const CONNECTIONS = option('connections');
const WORKERS = option('workers');
const RATE = option('rate');
const SAMPLE = option('sample');

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (v: number) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const pad = (s: string, n: number) => s.padEnd(n);
const row = (label: string, measured: string, target = '') => console.log(`  ${pad(label, 48)}${pad(measured, 40)}${target}`);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

const run = Date.now().toString(36);
const schema = freshSchema('junction_bench');
const queuePrefix = `bench${run}`;
const work = mkdtempSync(join(tmpdir(), 'junction-bench-'));
const root = resolve(import.meta.dirname, '..');
/** message `seq` of phase `phase`: an A01 with its own visit number, for one of `patients` patients */
const patients = option('patients');
const visitOf = (phase: string, seq: number) => `${run}${phase}${seq}`;
const message = (phase: string) => (seq: number) =>
  adt({ event: 'A01', controlId: `${phase}${seq}`, nhsNumber: '', mrn: `${phase === 'W' ? 'W' : 'P'}${seq % patients}`, visitNumber: visitOf(phase, seq), given: `G${seq}` });

const loadStart = loadavg()[0] ?? NaN;
const processes: EngineProcess[] = [];
let reference: Awaited<ReturnType<typeof openBrokerReference>> | undefined;
const connections: MllpConnection[] = [];
const own = monitorEventLoopDelay({ resolution: 2 });
own.enable();

async function probeAll(): Promise<void> {
  own.reset();
  await Promise.all(processes.map((p) => p.reset()));
  reference?.start();
}
async function reportAll(): Promise<{ reports: [string, ProbeReport][]; confirms: number[] }> {
  const confirms = (await reference?.stop()) ?? [];
  const reports = await Promise.all(processes.map(async (p) => [p.name, await p.report()] as [string, ProbeReport]));
  return { reports, confirms };
}
const GC_KINDS: Record<string, string> = { '1': 'minor', '2': 'full', '4': 'incremental', '8': 'weak' };
const gcKinds = (kinds: Readonly<Record<string, number>>) =>
  Object.entries(kinds)
    .map(([k, n]) => `${GC_KINDS[k] ?? k} ${n}`)
    .join(', ');
function printProcesses({ reports, confirms }: { reports: [string, ProbeReport][]; confirms: number[] }): void {
  row(
    'RabbitMQ alone meanwhile: confirm p50/p99/max',
    `${ms(pct(confirms, 50))} / ${ms(pct(confirms, 99))} / ${ms(Math.max(...confirms))} ms`,
    `(${option('reference-rate')}/s side publisher)`,
  );
  console.log(`  ${pad('process', 12)}${pad('loop delay p50/p99/max ms', 28)}${pad('GC pauses: n, total, max ms; full (kinds)', 44)}${pad('heap MB', 9)}CPU (cores)`);
  for (const [name, r] of reports) {
    console.log(
      `  ${pad(name, 12)}${pad(`${ms(r.loop.p50)} / ${ms(r.loop.p99)} / ${ms(r.loop.max)}`, 28)}${pad(`${r.gc.count}, ${ms(r.gc.totalMs)}, ${ms(r.gc.maxMs)}; ${r.gc.major} (${gcKinds(r.gc.kinds)})`, 44)}${pad(r.heapMb.toFixed(0), 9)}${r.cpuShare.toFixed(2)}`,
    );
  }
  const late = (ns: number) => Math.max(0, ns / 1e6 - 2);
  console.log(`  ${pad('bench', 12)}${pad(`${ms(late(own.percentile(50)))} / ${ms(late(own.percentile(99)))} / ${ms(late(own.max))}`, 28)}(the load generator itself: its stalls add to every latency above)`);
}
/** node options that make `name` write a CPU profile into its own folder, with --cpu-prof */
const profileArgs = (name: string): { nodeArgs?: string[] } =>
  PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profile', name.replace(/\W+/g, '-'))}`] } : {};
function printProfiles(): void {
  for (const p of processes) {
    const dir = join(work, 'profile', p.name.replace(/\W+/g, '-'));
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    if (!file) {
      console.log(`\nno CPU profile of the ${p.name} process was written`);
      continue;
    }
    const kept = join(tmpdir(), `junction-${p.name.replace(/\W+/g, '-')}-${run}.cpuprofile`);
    copyFileSync(join(dir, file), kept);
    console.log(`\n${p.name} process, whole run, self time by function (profile: ${kept}):`);
    for (const line of topSelfTime(kept, 20)) console.log(`  ${line}`);
  }
}
function printIntake(before: Buckets, after: Buckets): void {
  const s = summarise(before, after);
  row('engine side (intake histogram) p50 / p99', `≤ ${ms(s.p50)} / ≤ ${ms(s.p99)} ms, ${(100 * s.within10ms).toFixed(1)}% ≤ 10 ms`, '(arrival → ACK ready)');
}
const notAccepted = (r: PhaseResult) => r.sent.filter((s) => s.code !== 'AA').length;
const ackLatencies = (r: PhaseResult, from: 'due' | 'written') => r.sent.map((s) => s.ackAt - s[from]);

// Ctrl+C: stop the engine processes and remove the schema and queues before leaving
process.once('SIGINT', () => {
  console.error('interrupted: stopping the engine processes, dropping the schema and the queues');
  for (const p of processes) p.child.kill('SIGKILL');
  void Promise.allSettled([dropSchema(databaseUrl, schema), deleteQueues(amqpUrl, queuePrefix), reference?.close()]).finally(() => {
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
});

try {
  const compiled = compileSources('pipeline-amqp', ['cli/main.ts']);
  const configPath = join(work, 'junction.yaml');
  writeBenchConfig(configPath, join(root, 'mappings'), option('concurrency'));
  const env = {
    JUNCTION_DATABASE_URL: databaseUrl,
    JUNCTION_DATABASE_SCHEMA: schema,
    JUNCTION_AMQP_URL: amqpUrl,
    JUNCTION_AMQP_QUEUE_PREFIX: queuePrefix,
  };
  // workers first, one at a time: the first creates the schema
  for (let w = 0; w < WORKERS; w++) {
    const nice = option('worker-nice');
    processes.push(
      await startEngineProcess({
        name: `worker ${w + 1}`,
        compiled,
        configPath,
        dataDir: work,
        env: { ...env, JUNCTION_ROLE: 'worker' },
        ...(nice > 0 ? { nice } : {}),
        ...profileArgs(`worker ${w + 1}`),
      }),
    );
  }
  const ingest = await startEngineProcess({
    name: 'ingest',
    compiled,
    configPath,
    dataDir: work,
    env: { ...env, JUNCTION_ROLE: 'ingest' },
    ...profileArgs('ingest'),
  });
  processes.unshift(ingest);
  const reader = `http://127.0.0.1:${processes[1]?.httpPort ?? ingest.httpPort}`;
  const applying = WORKERS > 0;
  reference = await openBrokerReference(amqpUrl, `${queuePrefix}.bench-reference`, option('reference-rate'));
  for (let c = 0; c < CONNECTIONS; c++) connections.push(await MllpConnection.open(ingest.mllpPort));

  const disk = await fdatasyncLatencies(work);
  let expected = 0;
  // warm-up: JIT, connection pools, partitions taken by the workers
  const warm = await fixedRate(connections, 200, 3, message('W'));
  expected += warm.sent.length;
  if (notAccepted(warm) > 0) throw new Error(`warm-up: ${notAccepted(warm)} messages not accepted (AA)`);
  if (applying && (await waitForEncounterCount(reader, expected, 120_000)) === undefined) throw new Error('warm-up messages did not become readable within 120 s');

  console.log(
    `pipeline over RabbitMQ into PostgreSQL: 1 ingest + ${WORKERS} worker process(es)${option('worker-nice') > 0 ? ` at nice ${option('worker-nice')}` : ''}, ${CONNECTIONS} MLLP connections, ` +
      `A01 of ${message('F')(0).length} B to ${patients} patients, everything durable (quorum queues, publisher confirms, PostgreSQL commit)`,
  );
  console.log(`disk (${tmpdir()}), before the load: 4 KB write + fdatasync p50 ${ms(pct(disk, 50))} ms, p99 ${ms(pct(disk, 99))} ms, max ${ms(Math.max(...disk))} ms`);

  // (a) flat out
  const seconds = option('seconds');
  const ingestUrl = `http://127.0.0.1:${ingest.httpPort}`;
  let buckets = await readIntakeBuckets(ingestUrl);
  await probeAll();
  const flat = await flatOut(connections, seconds, message('F'));
  const flatReports = await reportAll();
  const flatBuckets: [Buckets, Buckets] = [buckets, (buckets = await readIntakeBuckets(ingestUrl))];
  expected += flat.sent.length;
  const flatRate = flat.sent.length / ((flat.endedAt - flat.startedAt) / 1000);
  const allReadable = applying ? await waitForEncounterCount(reader, expected, option('drain-timeout') * 1000) : undefined;
  const flatAck = ackLatencies(flat, 'written');
  console.log(`\n${pad(`(a) flat out for ${seconds} s`, 50)}${pad('measured', 40)}target`);
  row('acknowledged', `${flatRate.toFixed(0)} messages/s (${flat.sent.length})`, `≥ 2,000/s: ${verdict(flatRate >= 2000)}`);
  row('ACK p50 / p99 / max', `${ms(pct(flatAck, 50))} / ${ms(pct(flatAck, 99))} / ${ms(Math.max(...flatAck))} ms`);
  printIntake(...flatBuckets);
  if (notAccepted(flat) > 0) row('not accepted (not AA)', String(notAccepted(flat)));
  if (!applying) {
    row('readable', 'not measured: no workers (--workers 0)');
  } else if (allReadable === undefined) {
    row('all readable', `not within ${option('drain-timeout')} s; ${await parkedCount(reader)} parked`);
  } else {
    row('all readable, after the last ACK', `${((allReadable - flat.endedAt) / 1000).toFixed(1)} s`);
    row('end to end (sent → readable)', `${(flat.sent.length / ((allReadable - flat.startedAt) / 1000)).toFixed(0)} messages/s`);
  }
  printProcesses(flatReports);

  // (b) fixed rate, open loop
  const rateSeconds = option('rate-seconds');
  const poller = applying ? startReadablePoller(reader, option('poll-ms')) : undefined;
  await probeAll();
  const onAck = (s: Sent) => {
    if (s.seq % SAMPLE === 0 && s.code === 'AA') poller?.expect(visitOf('R', s.seq), s.ackAt);
  };
  const fixed = await fixedRate(connections, RATE, rateSeconds, message('R'), onAck);
  const fixedReports = await reportAll();
  const fixedBuckets: [Buckets, Buckets] = [buckets, await readIntakeBuckets(ingestUrl)];
  const { unread } = (await poller?.finish(option('drain-timeout') * 1000)) ?? { unread: 0 };
  expected += fixed.sent.length;
  const fromDue = ackLatencies(fixed, 'due');
  const fromWritten = ackLatencies(fixed, 'written');
  const lateness = fixed.sent.map((s) => s.written - s.due);
  const achieved = fixed.sent.length / ((fixed.endedAt - fixed.startedAt) / 1000);
  const readable = poller?.latencies ?? [];
  console.log(`\n${pad(`(b) ${RATE} messages/s for ${rateSeconds} s, open loop`, 50)}${pad('measured', 40)}target`);
  row('offered / achieved', `${RATE} / ${achieved.toFixed(0)} messages/s`);
  row('ACK p50 / p99 / max, from due time', `${ms(pct(fromDue, 50))} / ${ms(pct(fromDue, 99))} / ${ms(Math.max(...fromDue))} ms`, `p99 < 10 ms: ${verdict(pct(fromDue, 99) < 10)}`);
  row('ACK p50 / p99 / max, from write', `${ms(pct(fromWritten, 50))} / ${ms(pct(fromWritten, 99))} / ${ms(Math.max(...fromWritten))} ms`);
  printIntake(...fixedBuckets);
  row('sender lateness (write − due) p99 / max', `${ms(pct(lateness, 99))} / ${ms(Math.max(...lateness))} ms`);
  if (notAccepted(fixed) > 0) row('not accepted (not AA)', String(notAccepted(fixed)));
  if (poller) {
    if (unread > 0) row('parked (never readable)', String(await parkedCount(reader)));
    row(
      `ACK → readable p50 / p99 (1 in ${SAMPLE})`,
      `${ms(pct(readable, 50))} / ${ms(pct(readable, 99))} ms (n=${readable.length}${unread ? `, ${unread} never` : ''})`,
    );
    row('  poll: one search for every pending sample', `each ${option('poll-ms')} ms: ${poller.requests} requests, mean ${ms(poller.meanRequestMs)} ms`);
  }
  printProcesses(fixedReports);

  const load = loadavg()[0] ?? NaN;
  console.log(
    `\nsummary: ${flatRate.toFixed(0)} messages/s acknowledged flat out (target ≥ 2,000)` +
      (allReadable === undefined ? '' : `, ${(flat.sent.length / ((allReadable - flat.startedAt) / 1000)).toFixed(0)}/s end to end`) +
      `; at ${RATE}/s ACK p99 ${ms(pct(fromDue, 99))} ms (target < 10)` +
      (poller ? `, ACK → readable p50 ${ms(pct(readable, 50))} ms, p99 ${ms(pct(readable, 99))} ms` : '') +
      `\nload average ${loadStart.toFixed(1)} at the start, ${load.toFixed(1)} at the end, on ${availableParallelism()} cores: ` +
      (Math.max(loadStart, load) > availableParallelism() / 2 ? 'other work competed for the CPU, so the tails are inflated; rerun on a quiet machine.' : 'a quiet machine.'),
  );
} finally {
  for (const c of connections) c.close();
  await reference?.close().catch((err: Error) => console.error(`closing the reference publisher: ${err.message}`));
  // ingest first (stop accepting), then the workers
  for (const p of processes) await p.stop().catch((err: Error) => console.error(`stopping ${p.name}: ${err.message}`));
  if (PROFILE) printProfiles();
  await dropSchema(databaseUrl, schema).catch((err: Error) => console.error(`dropping schema ${schema}: ${err.message}`));
  await deleteQueues(amqpUrl, queuePrefix).catch((err: Error) => console.error(`deleting queues ${queuePrefix}.*: ${err.message}`));
  rmSync(work, { recursive: true, force: true });
}
