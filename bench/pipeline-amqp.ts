/**
 * End to end over RabbitMQ into PostgreSQL, everything durable: several MLLP connections into one
 * engine (ingest + workers in one process here; docker-compose splits them). Prints
 *  - sustained messages/s with the senders going flat out, ACK latency p50/p99;
 *  - at a fixed 500 messages/s: ACK latency p50/p99 and ACK → readable over the FHIR API p50/p99.
 * Needs JUNCTION_TEST_DATABASE_URL and JUNCTION_TEST_AMQP_URL (CI's services); otherwise says so.
 * Run: npx tsx bench/pipeline-amqp.ts [messages=6000] [connections=8]
 */
import { performance } from 'node:perf_hooks';
import { freshSchema, startTestEngine } from '../test/support/engine.js';
import { adt } from '../test/support/messages.js';
import { frame, RawMllpClient, readAck } from '../test/support/mllp-raw-client.js';

const databaseUrl = process.env['JUNCTION_TEST_DATABASE_URL'];
const amqpUrl = process.env['JUNCTION_TEST_AMQP_URL'];
const total = Number(process.argv[2] ?? 6000);
const connections = Number(process.argv[3] ?? 8);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

if (!databaseUrl || !amqpUrl) {
  console.log('pipeline over RabbitMQ: skipped (set JUNCTION_TEST_DATABASE_URL and JUNCTION_TEST_AMQP_URL)');
  process.exit(0);
}

const t = await startTestEngine({
  postgres: { url: databaseUrl, schema: freshSchema('junction_bench') },
  amqp: { url: amqpUrl, queuePrefix: `bench${Date.now().toString(36)}` },
});
try {
  /** Send `count` messages per connection; `interval` ms between sends per connection (0 = flat out). */
  async function load(tag: string, count: number, interval: number, onAck?: (controlId: string, at: number) => void) {
    const latencies: number[] = [];
    let notAccepted = 0;
    await Promise.all(
      Array.from({ length: connections }, async (_, c) => {
        const client = await RawMllpClient.connect(t.mllpPort);
        let next = performance.now();
        for (let i = 0; i < count; i++) {
          if (interval > 0) {
            next += interval;
            const wait = next - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          const controlId = `${tag}${c}-${i}`;
          const sent = performance.now();
          await client.write(frame(adt({ event: 'A08', controlId, nhsNumber: '', mrn: `${tag}${c}-${i % 100}`, visitNumber: `${tag}V${c}-${i % 100}`, given: `G${i}` })));
          const acks = await client.waitFor(i + 1, 60_000);
          const at = performance.now();
          latencies.push(at - sent);
          if (readAck(acks[i] ?? '').code === 'AA') onAck?.(controlId, at);
          else notAccepted++;
        }
        client.destroy();
      }),
    );
    return { latencies, notAccepted };
  }

  const perConnection = Math.ceil(total / connections);
  const started = performance.now();
  const flat = await load('F', perConnection, 0);
  const seconds = (performance.now() - started) / 1000;
  const sent = perConnection * connections;
  console.log(`pipeline over RabbitMQ into PostgreSQL (${connections} MLLP connections, ${sent} messages, all durable)`);
  console.log(`  sustained ${(sent / seconds).toFixed(0)} messages/s acknowledged; ACK p50 ${pct(flat.latencies, 50).toFixed(2)} ms, p99 ${pct(flat.latencies, 99).toFixed(2)} ms${flat.notAccepted ? `; ${flat.notAccepted} not AA` : ''}`);

  // fixed rate: 500 messages/s in total, and time from ACK until the Patient is readable
  const rate = 500;
  const interval = (1000 * connections) / rate;
  const count = Math.max(20, Math.floor((rate * 10) / connections));
  const readable: number[] = [];
  const probes: Promise<void>[] = [];
  const fixed = await load('R', count, interval, (controlId, ackAt) => {
    if (!controlId.endsWith('0')) return; // sample one in ten
    const mrn = `R${controlId.slice(1, controlId.indexOf('-'))}-${Number(controlId.split('-')[1]) % 100}`;
    const given = `G${controlId.split('-')[1]}`;
    probes.push(
      (async () => {
        for (let i = 0; i < 2000; i++) {
          const r = await fetch(`${t.baseUrl}/fhir/Patient?identifier=https://junction.nhs.uk/Id/RGT/mr|${mrn}`);
          const body = (await r.json()) as { entry?: { resource: { name?: { given?: string[] }[] } }[] };
          if (body.entry?.[0]?.resource.name?.[0]?.given?.includes(given)) {
            readable.push(performance.now() - ackAt);
            return;
          }
          await new Promise((res) => setTimeout(res, 2));
        }
      })(),
    );
  });
  await Promise.all(probes);
  console.log(`  at ${rate} messages/s: ACK p50 ${pct(fixed.latencies, 50).toFixed(2)} ms, p99 ${pct(fixed.latencies, 99).toFixed(2)} ms; ACK → readable p50 ${pct(readable, 50).toFixed(1)} ms, p99 ${pct(readable, 99).toFixed(1)} ms (${readable.length} sampled)`);
} finally {
  await t.stop();
}
