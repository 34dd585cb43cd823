/**
 * Issue 3, "Nothing lost": 10,000 ADT messages for 200 patients over several MLLP connections into an
 * ingest process and a worker process on RabbitMQ and PostgreSQL. During the run the broker is
 * restarted twice (rabbitmqctl stop_app / start_app) and the worker is SIGKILLed twice. Afterwards
 * every message that got AA is in the store exactly once, and each patient's messages were applied in
 * sequence order. Senders behave like hospital systems: each waits for the ACK, and resends the same
 * message after an AE or a lost connection.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../src/store/index.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { deleteQueues, dropSchema, freshSchema } from '../support/engine.js';
import { spawnEngine, type EngineProcess } from '../support/engine-process.js';
import { integrationUrl } from '../support/integration.js';
import { adt } from '../support/messages.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

const run = promisify(execFile);
const databaseUrl = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'chaos: nothing lost');
const amqpUrl = integrationUrl('JUNCTION_TEST_AMQP_URL', 'chaos: nothing lost');

const PATIENTS = 200;
const PER_PATIENT = 50;
const CONNECTIONS = 5;
const TOTAL = PATIENTS * PER_PATIENT;

const seqName = (seq: number) => `S${String(seq).padStart(4, '0')}`;
const eventTime = (seq: number) => {
  const t = new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + seq * 60_000);
  return t.toISOString().replace(/[-:T]/g, '').slice(0, 14);
};

async function rabbit(command: 'stop_app' | 'start_app'): Promise<void> {
  await run('rabbitmqctl', [command], { timeout: 120_000 });
  if (command === 'start_app') await run('rabbitmq-diagnostics', ['-q', 'check_port_connectivity'], { timeout: 120_000 });
}

const counts = { acked: 0, aeResent: 0, reconnects: 0 };
const ackedIds = new Set<string>();

/** One sending system: its patients' messages in order, each resent until it gets AA. */
async function sender(index: number, port: () => number, stop: { now: boolean }): Promise<void> {
  const patients = Array.from({ length: PATIENTS / CONNECTIONS }, (_, i) => index * (PATIENTS / CONNECTIONS) + i);
  let client: RawMllpClient | undefined;
  let answered = 0;
  for (let seq = 1; seq <= PER_PATIENT; seq++) {
    for (const p of patients) {
      const controlId = `C${p}-${seq}`;
      const message = adt({ event: 'A08', controlId, nhsNumber: '', mrn: `CHAOS${p}`, visitNumber: `CV${p}`, given: seqName(seq), eventTime: eventTime(seq) });
      for (;;) {
        if (stop.now) throw new Error('stopped');
        try {
          if (!client || client.closed) {
            client?.destroy();
            client = await RawMllpClient.connect(port());
            answered = 0;
            counts.reconnects++;
          }
          await client.write(frame(message));
          const acks = await client.waitFor(answered + 1, 15_000);
          answered++;
          const ack = readAck(acks[answered - 1] ?? '');
          if (ack.code === 'AA' && ack.controlId === controlId) {
            counts.acked++;
            ackedIds.add(controlId);
            break;
          }
          counts.aeResent++;
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          client?.destroy();
          client = undefined;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  }
  client?.destroy();
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Sum junction_stage_redeliveries_total over a worker's lifetime by scraping it while it lives. */
function scrapeRedeliveries(worker: () => EngineProcess | undefined, totals: Map<EngineProcess, number>): () => void {
  const timer = setInterval(async () => {
    const w = worker();
    if (!w) return;
    try {
      const text = await (await fetch(`http://127.0.0.1:${w.httpPort}/metrics`)).text();
      let sum = 0;
      for (const m of text.matchAll(/^junction_stage_redeliveries_total\{[^}]*\} (\d+)/gm)) sum += Number(m[1]);
      totals.set(w, sum);
    } catch {
      /* it may just have been killed */
    }
  }, 250);
  return () => clearInterval(timer);
}

const describeIf = databaseUrl && amqpUrl ? describe : describe.skip;

describeIf('chaos: nothing acknowledged is ever lost (RabbitMQ + PostgreSQL)', () => {
  const root = mkdtempSync(join(tmpdir(), 'junction-chaos-'));
  const schema = freshSchema('junction_chaos');
  const prefix = `chaos${Date.now().toString(36)}`;
  const env = {
    JUNCTION_DATABASE_URL: databaseUrl ?? '',
    JUNCTION_DATABASE_SCHEMA: schema,
    JUNCTION_AMQP_URL: amqpUrl ?? '',
    JUNCTION_AMQP_QUEUE_PREFIX: prefix,
  };
  const processes: EngineProcess[] = [];
  let db: SqlDatabase | undefined;

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await rabbit('start_app').catch(() => undefined);
    await db?.close();
    if (databaseUrl) await dropSchema(databaseUrl, schema).catch(() => undefined);
    if (amqpUrl) await deleteQueues(amqpUrl, prefix).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it(`${TOTAL} messages, 2 broker restarts, 2 worker kills: every AA applied exactly once, in order`, async () => {
    const ingest = await spawnEngine(join(root, 'ingest'), 120_000, { env: { ...env, JUNCTION_ROLE: 'ingest' } });
    processes.push(ingest);
    let worker: EngineProcess | undefined = await spawnEngine(join(root, 'worker'), 120_000, { env: { ...env, JUNCTION_ROLE: 'worker' } });
    processes.push(worker);
    const redeliveries = new Map<EngineProcess, number>();
    const stopScraping = scrapeRedeliveries(() => worker, redeliveries);

    const stop = { now: false };
    const senders = Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => sender(i, () => ingest.mllpPort, stop)));
    senders.catch(() => (stop.now = true));

    const at = (n: number) => waitFor(`${n} acknowledgements`, async () => counts.acked >= n, 300_000);
    const killWorker = async () => {
      worker?.child.kill('SIGKILL');
      await worker?.exited;
      worker = undefined;
      await new Promise((r) => setTimeout(r, 500));
      worker = await spawnEngine(join(root, 'worker'), 120_000, { env: { ...env, JUNCTION_ROLE: 'worker' } });
      processes.push(worker);
    };
    const restartBroker = async () => {
      await rabbit('stop_app');
      await new Promise((r) => setTimeout(r, 2000));
      await rabbit('start_app');
    };

    await at(TOTAL * 0.15);
    await restartBroker();
    await at(TOTAL * 0.35);
    await killWorker();
    await at(TOTAL * 0.6);
    await restartBroker();
    await at(TOTAL * 0.8);
    await killWorker();
    await senders;

    db = await openPostgresDatabase(databaseUrl ?? '', { schema, poolSize: 2 });
    const store = db;
    await waitFor(
      'every acknowledged message to be applied',
      async () => {
        const r = await store.query<{ n: string }>(`SELECT count(*) AS n FROM message_log WHERE status = 'applied' AND control_id LIKE 'C%'`);
        return Number(r.rows[0]?.n) >= ackedIds.size;
      },
      300_000,
    );
    stopScraping();

    // exactly once: one log row per acknowledged control id, none extra
    const logged = await store.query<{ control_id: string }>(`SELECT control_id FROM message_log WHERE status = 'applied' AND control_id LIKE 'C%'`);
    const loggedIds = logged.rows.map((r) => r.control_id);
    expect(new Set(loggedIds).size).toBe(loggedIds.length);
    expect(new Set(loggedIds)).toEqual(ackedIds);

    // in order, once each: every patient's versions carry sequence numbers 1..50 in order
    const history = await store.query<{ id: string; version_id: number; given: string }>(
      `SELECT id, version_id, content->'name'->0->'given'->>0 AS given FROM resource_history WHERE resource_type = 'Patient' ORDER BY id, version_id`,
    );
    const byPatient = new Map<string, string[]>();
    for (const row of history.rows) byPatient.set(row.id, [...(byPatient.get(row.id) ?? []), row.given]);
    expect(byPatient.size).toBe(PATIENTS);
    const expected = Array.from({ length: PER_PATIENT }, (_, i) => seqName(i + 1));
    const outOfOrder = [...byPatient.entries()].filter(([, seqs]) => JSON.stringify(seqs) !== JSON.stringify(expected));
    expect(outOfOrder.map(([id, seqs]) => `${id}: ${seqs.join(',')}`).slice(0, 3)).toEqual([]);

    const redelivered = [...redeliveries.values()].reduce((a, b) => a + b, 0);
    console.log(
      `chaos: ${ackedIds.size} messages acknowledged (AA), ${counts.aeResent} answers AE and resent, ` +
        `${counts.reconnects - CONNECTIONS} reconnections, at least ${redelivered} stage redeliveries counted by the workers`,
    );
  });
});
