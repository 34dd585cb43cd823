/**
 * GP CSV intake: rows of a problems extract through record intake (dry-run mapping, person key, durable publish),
 * one row at a time (window 1) against a window of rows in flight (one patient's rows still one after another).
 * On RabbitMQ when JUNCTION_TEST_AMQP_URL is set (a unique queue prefix, deleted at the end), else on the local
 * transport over PGlite in memory. Prints figures only. Run: npm run bench -- gp-csv [rows] (default 5000).
 */
import pino from 'pino';
import { loadMappingSet } from '../src/mapping/index.js';
import { createRecordMapper, type CsvRecord } from '../src/mapping/record-mapper.js';
import { createAmqpTransport } from '../src/pipeline/amqp-transport.js';
import { createLocalTransport } from '../src/pipeline/local-transport.js';
import { createRecordIntake } from '../src/pipeline/record-intake.js';
import type { Transport } from '../src/pipeline/transport.js';
import { openEmbeddedDatabase } from '../src/store/pglite-database.js';
import { deleteQueues } from '../test/support/engine.js';

const N = Number(process.argv[2] ?? 5000);
const PATIENTS = 500;
const amqpUrl = process.env['JUNCTION_TEST_AMQP_URL'];
const records = createRecordMapper(loadMappingSet(new URL('../mappings', import.meta.url).pathname));
const context = { id: 'gp-csv', organisation: { odsCode: 'D81025', name: 'Histon Road Surgery' } };

function rows(prefix: string): CsvRecord[] {
  return Array.from({ length: N }, (_, n) => ({
    layout: 'gp-csv-problems',
    file: `${prefix}.csv`,
    row: n + 2,
    values: { nhs_number: '', local_patient_id: `HRS-${n % PATIENTS}`, problem_id: `P-${n}`, snomed_code: '195967001', description: 'Asthma', status: 'active', onset_date: '01/02/2003', end_date: '', recorded_date: '2003-02-01' },
  }));
}

async function run(transport: Transport, label: string): Promise<void> {
  const intake = createRecordIntake({ transport, logger: pino({ level: 'silent' }), channel: () => ({ records, context }) });
  await intake.submitRows('gp-csv', rows(`warm-${Date.now()}`), { window: 64 }); // warm up (JIT, connections) before measuring
  for (const window of [1, 16, 64, 256]) {
    const batch = rows(`w${window}-${Date.now()}`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const outcomes = await intake.submitRows('gp-csv', batch, { window });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const accepted = outcomes.filter((o) => o.outcome === 'accepted').length;
    console.log(`${label}  window ${String(window).padStart(3)}: ${accepted}/${N} rows in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)} rows/s (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s)`);
  }
}

if (amqpUrl) {
  const queuePrefix = `benchcsv${Date.now().toString(36)}`;
  const transport = await createAmqpTransport({ url: amqpUrl, queuePrefix });
  try {
    await run(transport, 'RabbitMQ');
  } finally {
    await transport.close();
    await deleteQueues(amqpUrl, queuePrefix);
  }
} else {
  const db = await openEmbeddedDatabase(undefined);
  const transport = await createLocalTransport(db);
  try {
    await run(transport, 'local (PGlite in memory)');
  } finally {
    await transport.close();
    await db.close();
  }
  console.log('(set JUNCTION_TEST_AMQP_URL to measure on RabbitMQ)');
}
