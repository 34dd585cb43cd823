/**
 * The record store on PostgreSQL: apply throughput and read latency with a realistic volume loaded.
 * Run: npx tsx bench/store-postgres.ts [--url postgres://…] [--patients 100000] [--concurrency 2,4,8] [--batch 100] [--samples 1000]
 * (or set JUNCTION_TEST_DATABASE_URL). Works in a throwaway schema, dropped at the end. Prints figures only.
 *
 *   load                 — 100,000 patients with 3 encounters each. `--load bulk` (default): multi-row inserts
 *                          through the store's own index code (bench/store-bulk-load.ts); `--load apply`: one
 *                          bundle per patient (Patient + 3 Encounters + Organization, Practitioner, Location)
 *                          through the store's apply path by N concurrent appliers
 *   apply, batched       — A01-shaped bundles (5 resources) for new and existing patients, N concurrent appliers
 *                          each applying `--batch` messages per applyMany (one transaction; 1: one apply each);
 *                          run once per applier count of `--concurrency` (a list), each on its own new patients.
 *                          More appliers than cores only add lock waits and switching on a small machine, so the
 *                          headline is the count that applied the most bundles a second here (printed as such).
 *                          `--warmup` bundles (2000) are applied first, unmeasured, so the JIT's work is not
 *                          charged to the first count
 *   identifier search    — Patient?identifier=<NHS number system>|<number>, one at a time
 *   $everything          — Patient/:id/$everything, one at a time
 * Targets (issue 4): ≥ 3,000 bundles/s applied; identifier search p99 < 10 ms.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Resource } from '@medplum/fhirtypes';
import type * as PostgresDatabase from '../src/store/postgres-database.js';
import type * as RecordStoreModule from '../src/store/record-store.js';
import type * as SearchSql from '../src/store/search-sql.js';
import type { SqlDatabase } from '../src/store/sql.js';
import type { ApplyInput, RecordStore } from '../src/store/types.js';
import { compileSources, load } from './compiled-src.js';
import { bulkInsert } from './store-bulk-load.js';

// the store as production runs it: compiled by tsc (see compiled-src.ts)
const compiled = compileSources('store', ['store/postgres-database.ts', 'store/record-store.ts', 'store/search-sql.ts']);
const { openPostgresDatabase } = await load<typeof PostgresDatabase>(compiled, 'store/postgres-database.js');
const { createRecordStore } = await load<typeof RecordStoreModule>(compiled, 'store/record-store.js');
const { buildSearchQuery } = await load<typeof SearchSql>(compiled, 'store/search-sql.js');

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';

function option(name: string, fallback: string | undefined): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const url = option('url', process.env['JUNCTION_TEST_DATABASE_URL']);
const PATIENTS = Number(option('patients', '100000'));
/** applier counts to measure the apply phase with, in turn */
const APPLIERS = (option('concurrency', '2,4,8') ?? '8').split(',').map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
const CONCURRENCY = Math.max(1, ...APPLIERS);
const SAMPLES = Number(option('samples', '1000'));
const APPLY_BUNDLES = Number(option('apply', '10000'));
/** bundles applied (not measured) before the apply runs */
const WARMUP = Number(option('warmup', '2000'));
/** messages per applyMany call (one transaction); 1: one apply per message */
const BATCH = Math.max(1, Number(option('batch', '100')));
const HOSPITALS = 20;
/** `bulk` (default): multi-row inserts through the store's index code; `apply`: one apply per patient bundle */
const LOAD = option('load', 'bulk') === 'apply' ? 'apply' : 'bulk';
const BULK_BATCH = 2000;

/** The i-th valid NHS number (modulus 11), skipping bases whose check digit would be 10. */
function nhsNumber(i: number): string {
  for (let base = 100_000_000 + i * 2; ; base++) {
    const digits = String(base).split('').map(Number);
    const sum = digits.reduce((acc, d, k) => acc + d * (10 - k), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${base}${check}`;
  }
}

const APPLICATION_NAME = `junction-bench-${process.pid}`;

/** The url with this run's application_name, so its server backends can be found (serverCpu). */
function withApplicationName(connection: string): string {
  const parsed = new URL(connection);
  parsed.searchParams.set('application_name', APPLICATION_NAME);
  return parsed.toString();
}

let controlSeq = 0;
function message(resources: Resource[], hospital: number): ApplyInput {
  const controlId = `B${++controlSeq}-${randomUUID().slice(0, 8)}`;
  return {
    source: {
      channelId: 'bench-adt',
      sender: `bench-adt|PAS|H${hospital}`,
      controlId,
      messageType: 'ADT^A01^ADT_A01',
      eventTime: new Date(Date.UTC(2024, 0, 1) + controlSeq * 1000).toISOString(),
      receivedAt: new Date().toISOString(),
    },
    raw: `MSH|^~\\&|PAS|H${hospital}|JUNCTION|HIE|20240101000000||ADT^A01^ADT_A01|${controlId}|P|2.5\r`,
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: resources.map((resource) => ({
        fullUrl: `${resource.resourceType}/${resource.id ?? ''}`,
        resource,
        request: { method: 'PUT', url: `${resource.resourceType}/${resource.id ?? ''}` },
      })),
    },
    preserve: [],
    labels: [],
    unmapped: [],
    warnings: [],
  };
}

function hospitalOf(i: number): number {
  return i % HOSPITALS;
}

function organization(h: number): Resource {
  return { resourceType: 'Organization', id: `org-h${h}`, identifier: [{ system: ODS, value: `R${h}X` }], name: `Hospital ${h}` };
}

function patient(i: number): Resource {
  return {
    resourceType: 'Patient',
    id: `pat-${i}`,
    identifier: [
      { system: NHS, value: nhsNumber(i) },
      { system: `https://junction.nhs.uk/Id/R${hospitalOf(i)}X/mr`, value: `MRN${i}` },
    ],
    name: [{ use: 'official', family: `FAMILY${i % 5000}`, given: [`GIVEN${i % 700}`] }],
    gender: i % 2 === 0 ? 'female' : 'male',
    birthDate: `19${String(30 + (i % 70)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
    address: [{ postalCode: `CB${i % 10} ${i % 9}QQ` }],
    managingOrganization: { reference: `Organization/org-h${hospitalOf(i)}` },
    generalPractitioner: [{ reference: `Organization/org-h${(hospitalOf(i) + 1) % HOSPITALS}` }],
  };
}

function encounter(i: number, n: number): Resource {
  const h = hospitalOf(i);
  return {
    resourceType: 'Encounter',
    id: `enc-${i}-${n}`,
    identifier: [{ system: `https://junction.nhs.uk/Id/R${h}X/vn`, value: `V${i}-${n}` }],
    status: n === 0 ? 'in-progress' : 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: n === 1 ? 'EMER' : 'IMP' },
    subject: { reference: `Patient/pat-${i}` },
    participant: [{ individual: { reference: `Practitioner/pr-h${h}-${i % 50}` } }],
    period: { start: new Date(Date.UTC(2023, 0, 1) + (i * 3 + n) * 60_000).toISOString() },
    location: [{ location: { reference: `Location/loc-h${h}-${i % 30}` } }],
    serviceProvider: { reference: `Organization/org-h${h}` },
  };
}

function supporting(i: number): Resource[] {
  const h = hospitalOf(i);
  return [
    organization(h),
    { resourceType: 'Practitioner', id: `pr-h${h}-${i % 50}`, identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: `G${h}${i % 50}` }] },
    { resourceType: 'Location', id: `loc-h${h}-${i % 30}`, name: `Ward ${i % 30}`, managingOrganization: { reference: `Organization/org-h${h}` } },
  ];
}

/** Apply `count` messages by `appliers` concurrent appliers, each taking BATCH at a time (applyMany; 1: apply). */
async function applyAll(store: RecordStore, count: number, make: (i: number) => ApplyInput, appliers = CONCURRENCY): Promise<number> {
  let next = 0;
  let failed = 0;
  const report = (i: number, error: unknown) => {
    failed++;
    if (failed <= 3) console.error(`  apply ${i} failed: ${error instanceof Error ? error.message : String(error)}`);
  };
  const worker = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + BATCH);
      const inputs = Array.from({ length: next - from }, (_, k) => make(from + k));
      if (BATCH === 1 || !store.applyMany) {
        for (const [k, input] of inputs.entries()) await store.apply(input).catch((error: unknown) => report(from + k, error));
        continue;
      }
      const outcomes = await store.applyMany(inputs);
      outcomes.forEach((o, k) => {
        if (!o.ok) report(from + k, o.error);
      });
    }
  };
  await Promise.all(Array.from({ length: appliers }, worker));
  return failed;
}

/** Every patient with 3 encounters, the shared organisations, practitioners and locations, in batches. */
async function bulkLoad(db: SqlDatabase): Promise<void> {
  const shared = new Map<string, Resource & { id: string }>();
  for (let i = 0; i < Math.min(PATIENTS, HOSPITALS * 150); i++) {
    for (const r of supporting(i)) shared.set(`${r.resourceType}/${r.id ?? ''}`, r as Resource & { id: string });
  }
  const lastUpdated = new Date().toISOString();
  await bulkInsert(db, [...shared.values()], lastUpdated);
  let next = 0;
  const worker = async () => {
    while (next < PATIENTS) {
      const from = next;
      next += BULK_BATCH;
      const batch: (Resource & { id: string })[] = [];
      for (let i = from; i < Math.min(from + BULK_BATCH, PATIENTS); i++) {
        batch.push(patient(i) as Resource & { id: string });
        for (let n = 0; n < 3; n++) batch.push(encounter(i, n) as Resource & { id: string });
      }
      await bulkInsert(db, batch, lastUpdated);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, 4) }, worker));
}

/**
 * CPU time (µs) used so far by each of this benchmark's server backends (this database's connections from this
 * application), read from /proc: only when the server runs on this machine, else undefined.
 */
async function serverCpu(db: SqlDatabase): Promise<Map<number, number> | undefined> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [APPLICATION_NAME],
  );
  const used = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      used.set(pid, (Number(fields[11]) + Number(fields[12])) * 10_000); // utime + stime, 100 ticks a second
    }
  } catch {
    return undefined;
  }
  return used.size > 0 ? used : undefined;
}

/** CPU the backends used between two readings (a backend that has gone since counts as idle). */
function serverCpuUsed(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  let total = 0;
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
  return total;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function latency(label: string, samples: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint();
    await run(s);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const p99 = percentile(times, 99);
  console.log(
    `${label.padEnd(24)} ${samples} requests   p50 ${percentile(times, 50).toFixed(2)} ms   p99 ${p99.toFixed(2)} ms   max ${(times.at(-1) ?? 0).toFixed(2)} ms`,
  );
  return p99;
}

function randomPatient(): number {
  return Math.floor(Math.random() * PATIENTS);
}

async function main(): Promise<void> {
  if (!url) {
    console.log('store-postgres skipped: pass --url postgres://… or set JUNCTION_TEST_DATABASE_URL');
    return;
  }
  const schema = `junction_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const db = await openPostgresDatabase(withApplicationName(url), { schema, poolSize: CONCURRENCY + 2 });
  try {
    const store = await createRecordStore(db);
    console.log(`PostgreSQL, schema ${schema}, ${APPLIERS.join(' / ')} concurrent appliers, ${BATCH} messages per applyMany`);

    let start = Date.now();
    let loadFailed = 0;
    if (LOAD === 'apply') {
      loadFailed = await applyAll(store, PATIENTS, (i) =>
        message([...supporting(i), patient(i), encounter(i, 0), encounter(i, 1), encounter(i, 2)], hospitalOf(i)),
      );
    } else {
      await bulkLoad(db);
    }
    let seconds = (Date.now() - start) / 1000;
    const counts = await db.query<{ resource_type: string; n: number }>(
      'SELECT resource_type, count(*)::integer AS n FROM resources GROUP BY resource_type ORDER BY resource_type',
    );
    console.log(
      `load (${LOAD})${''.padEnd(18 - LOAD.length)} ${PATIENTS} patients in ${seconds.toFixed(1)} s   ${(PATIENTS / seconds).toFixed(0)} patients/s` +
        `${loadFailed > 0 ? `   ${loadFailed} FAILED` : ''}   (${counts.rows.map((r) => `${r.resource_type} ${r.n}`).join(', ')})`,
    );
    await db.query('ANALYZE');

    // the apply path warmed up (compiled by the JIT) first, so no applier count pays for it
    await applyAll(store, WARMUP, (j) => {
      const i = PATIENTS + APPLIERS.length * APPLY_BUNDLES + j;
      return message([...supporting(i), patient(i), encounter(i, 3)], hospitalOf(i));
    });
    let best: { appliers: number; rate: number } | undefined;
    for (const [run, appliers] of APPLIERS.entries()) {
      start = Date.now();
      const cpuBefore = { node: process.cpuUsage(), server: await serverCpu(db) };
      const applyFailed = await applyAll(
        store,
        APPLY_BUNDLES,
        (j) => {
          // half new patients (each run its own), half updates of loaded ones (a new encounter each)
          const k = run * APPLY_BUNDLES + j;
          const i = k % 2 === 0 ? PATIENTS + k : randomPatient();
          return message([...supporting(i), patient(i), encounter(i, 3 + k)], hospitalOf(i));
        },
        appliers,
      );
      seconds = (Date.now() - start) / 1000;
      const rate = APPLY_BUNDLES / seconds;
      if (best === undefined || rate > best.rate) best = { appliers, rate };
      console.log(
        `apply, ${String(appliers).padStart(2)} appliers      ${APPLY_BUNDLES} bundles in ${seconds.toFixed(1)} s   ${rate.toFixed(0)} bundles/s` +
          `${applyFailed > 0 ? `   ${applyFailed} FAILED` : ''}   (target ≥ 3000)`,
      );
      const nodeCpu = process.cpuUsage(cpuBefore.node);
      const serverUsed = serverCpuUsed(cpuBefore.server, await serverCpu(db));
      const perBundle = (micros: number) => `${(micros / APPLY_BUNDLES).toFixed(0)} µs`;
      console.log(
        `  CPU per bundle: Node ${perBundle(nodeCpu.user + nodeCpu.system)}` +
          (serverUsed === undefined
            ? '   PostgreSQL backends n/a (server not local)'
            : `   PostgreSQL backends ${perBundle(serverUsed)}   together ${perBundle(nodeCpu.user + nodeCpu.system + serverUsed)}`) +
          `   (3000 bundles/s on 2 cores needs ≤ ~650 µs together; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`,
      );
    }
    if (best !== undefined && APPLIERS.length > 1) {
      console.log(`apply, headline          ${best.rate.toFixed(0)} bundles/s with ${best.appliers} appliers (the count that applied the most here)`);
    }

    const identifierQuery = (i: number) => ({
      criteria: [{ param: 'identifier', values: [{ type: 'token' as const, system: NHS, code: nhsNumber(i) }] }],
      count: 20,
      offset: 0,
    });
    const p99 = await latency('identifier search', SAMPLES, async () => {
      const i = randomPatient();
      const found = await store.search('Patient', identifierQuery(i));
      if (found.total !== 1) throw new Error(`identifier search for patient ${i} found ${found.total}`);
    });
    console.log(`${''.padEnd(24)} (target p99 < 10 ms)`);
    await latency('$everything', Math.max(1, Math.floor(SAMPLES / 5)), async () => {
      const found = await store.everything(`pat-${randomPatient()}`, { count: 100 });
      if (found === undefined || found.total < 4) throw new Error('$everything found too little');
    });
    await latency('Encounter?patient', Math.max(1, Math.floor(SAMPLES / 5)), () =>
      store.search('Encounter', {
        criteria: [{ param: 'patient', values: [{ type: 'reference', reference: `Patient/pat-${randomPatient()}` }] }],
        count: 20,
        offset: 0,
      }),
    );

    if (p99 >= 10 || process.argv.includes('--explain')) {
      const { sql, params } = buildSearchQuery('Patient', identifierQuery(randomPatient()), new Date());
      const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      console.log('\nEXPLAIN ANALYZE identifier search:');
      for (const row of plan.rows) console.log(`  ${row['QUERY PLAN']}`);
    }
    if (process.argv.includes('--explain')) {
      // the statements $everything runs, captured through a recording executor, then explained
      const captured: { sql: string; params: readonly unknown[] }[] = [];
      const recording = {
        kind: db.kind,
        query: (sql: string, params: readonly unknown[] = []) => {
          captured.push({ sql, params });
          return db.query(sql, params);
        },
        transaction: db.transaction.bind(db),
        close: async () => undefined,
      } as typeof db;
      await (await createRecordStore(recording)).everything(`pat-${randomPatient()}`, { count: 100 });
      for (const statement of captured.filter((c) => /^\s*(SELECT|WITH)/.test(c.sql))) {
        const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params);
        console.log('\nEXPLAIN ANALYZE, a statement of $everything:');
        for (const row of plan.rows) console.log(`  ${row['QUERY PLAN']}`);
      }
    }
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((error: Error) => console.error(`drop schema failed: ${error.message}`));
    await db.close();
  }
}

await main();
