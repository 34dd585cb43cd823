/**
 * Scale out with real processes: one ingest process (MLLP → RabbitMQ) and two worker processes
 * (RabbitMQ → PostgreSQL) on the same broker and database. The workers share the partitions, and
 * every patient's updates are applied once each, in the order they were sent, whichever worker
 * applied them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAmqpTransport } from '../../src/pipeline/amqp-transport.js';
import { openPostgresDatabase } from '../../src/store/index.js';
import { dropSchema, eventually, freshSchema } from '../support/engine.js';
import { spawnEngine, type EngineProcess } from '../support/engine-process.js';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { adt } from '../support/messages.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

const databaseUrl = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'scale-out e2e');
const amqpUrl = integrationUrl('JUNCTION_TEST_AMQP_URL', 'scale-out e2e');

const PATIENTS = 50;
const PER_PATIENT = 20;
const CONNECTIONS = 5;

/** message `seq` of patient `p`: the family name carries the sequence, the event time grows with it */
function update(p: number, seq: number): string {
  const time = new Date(Date.UTC(2026, 10, 26, 9, 0, 0) + seq * 60_000).toISOString().replace(/\D/g, '').slice(0, 14);
  return adt({ event: 'A08', controlId: `SCALE-${p}-${seq}`, nhsNumber: '', mrn: `SCALE${p}`, family: `SEQ${seq}`, eventTime: time });
}

/** what a worker's /metrics says it applied: the records stage's handled count */
async function appliedBy(worker: EngineProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${worker.httpPort}/metrics`)).text();
  const line = /^junction_stage_duration_seconds_count\{stage="records"\} (\d+)$/m.exec(text);
  return line ? Number(line[1]) : 0;
}

/** the partitions of `records` a worker last said it owns, and among how many members */
function lastAssignment(worker: EngineProcess): { partitions: number[]; members: number } | undefined {
  let last: { partitions: number[]; members: number } | undefined;
  for (const line of worker.output().split('\n')) {
    if (!line.includes('AMQP partitions assigned')) continue;
    const entry = JSON.parse(line) as { stage: string; partitions: number[]; members: number };
    if (entry.stage === 'records') last = entry;
  }
  return last;
}

if (!databaseUrl || !amqpUrl) {
  describe.skip(skippedTitle('JUNCTION_TEST_DATABASE_URL and JUNCTION_TEST_AMQP_URL', 'scale-out e2e'), () => it('needs PostgreSQL and RabbitMQ', () => undefined));
} else {
  const root = mkdtempSync(join(tmpdir(), 'junction-scale-out-'));
  const schema = freshSchema('scale_out');
  const prefix = `junction-test.scale-out.${randomUUID().slice(0, 8)}`;
  const processes: EngineProcess[] = [];

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await dropSchema(databaseUrl, schema).catch(() => undefined);
    const janitor = await createAmqpTransport({ url: amqpUrl, queuePrefix: prefix });
    await janitor.deleteQueues().finally(() => janitor.close());
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  describe('scale out: one ingest process, two workers, one RabbitMQ, one PostgreSQL', () => {
    it('the workers share the partitions and apply every patient’s updates once each, in order', async () => {
      const shared = {
        JUNCTION_DATABASE_URL: databaseUrl,
        JUNCTION_DATABASE_SCHEMA: schema,
        JUNCTION_AMQP_URL: amqpUrl,
        JUNCTION_AMQP_QUEUE_PREFIX: prefix,
      };
      const start = async (name: string, role: 'ingest' | 'worker') => {
        const env = { ...shared, JUNCTION_ROLE: role, ...(role === 'worker' ? { JUNCTION_LOG_LEVEL: 'info' } : {}) };
        const p = await spawnEngine(join(root, name), 90_000, { env });
        processes.push(p);
        return p;
      };
      // the ingest process first: it creates the schema, so the workers do not race to migrate it
      const ingest = await start('ingest', 'ingest');
      const workers = await Promise.all([start('worker-1', 'worker'), start('worker-2', 'worker')]);
      expect(ingest.mllpPort).toBeGreaterThan(0);
      for (const w of workers) expect(w.mllpPort).toBe(0);
      // both workers see each other and split the 8 partitions 4 / 4 (the ingest process takes none)
      const split = await eventually(
        async () => {
          const views = workers.map(lastAssignment);
          return views.every((v) => v?.members === 2 && v.partitions.length === 4) ? views : undefined;
        },
        30_000,
        'the workers to split the partitions',
      );
      expect([...split[0]!.partitions, ...split[1]!.partitions].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

      // each patient on one connection, so its messages reach the engine in sequence order
      const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => RawMllpClient.connect(ingest.mllpPort)));
      const codes: string[] = [];
      await Promise.all(
        clients.map(async (client, c) => {
          let sent = 0;
          for (let seq = 0; seq < PER_PATIENT; seq++) {
            for (let p = c; p < PATIENTS; p += CONNECTIONS) {
              await client.write(frame(update(p, seq)));
              const acks = await client.waitFor(++sent, 30_000);
              codes.push(readAck(acks[sent - 1]!).code ?? 'none');
            }
          }
        }),
      );
      for (const client of clients) client.destroy();
      expect(codes).toHaveLength(PATIENTS * PER_PATIENT);
      expect(codes.filter((code) => code !== 'AA')).toEqual([]);

      const db = await openPostgresDatabase(databaseUrl, { schema, poolSize: 1 });
      try {
        const versions = await eventually(
          async () => {
            const { rows } = await db.query<{ mrn: string; version_id: number; family: string }>(
              `SELECT (SELECT i->>'value' FROM jsonb_array_elements(content->'identifier') i WHERE i->>'value' LIKE 'SCALE%' LIMIT 1) AS mrn,
                      version_id, content->'name'->0->>'family' AS family
                 FROM resource_history WHERE resource_type = 'Patient' ORDER BY id, version_id`,
            );
            return rows.length >= PATIENTS * PER_PATIENT ? rows : undefined;
          },
          120_000,
          'every update applied',
        );
        const byPatient = new Map<string, string[]>();
        for (const row of versions) byPatient.set(row.mrn, [...(byPatient.get(row.mrn) ?? []), row.family]);
        expect(byPatient.size).toBe(PATIENTS);
        const expected = Array.from({ length: PER_PATIENT }, (_, seq) => `SEQ${seq}`);
        for (let p = 0; p < PATIENTS; p++) expect(byPatient.get(`SCALE${p}`), `patient ${p}`).toEqual(expected);
      } finally {
        await db.close();
      }

      // both workers did their share of the work
      const applied = await Promise.all(workers.map(appliedBy));
      for (const count of applied) expect(count).toBeGreaterThan(0);
      expect(applied[0]! + applied[1]!).toBeGreaterThanOrEqual(PATIENTS * PER_PATIENT);
      console.log(`scale-out: ${PATIENTS * PER_PATIENT} updates applied by two workers: ${applied.join(' + ')}`);
    }, 300_000);
  });
}
