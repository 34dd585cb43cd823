/**
 * MLLP round trip on embedded defaults: several connections, each sending ADT messages one after
 * another and waiting for each ACK (as a hospital system does). Prints messages/s and ACK latency
 * percentiles. Everything is durable before each ACK (journal commit in the embedded database).
 * Run: npx tsx bench/mllp-roundtrip.ts [messages=3000] [connections=4]
 */
import { performance } from 'node:perf_hooks';
import { startTestEngine } from '../test/support/engine.js';
import { adt } from '../test/support/messages.js';
import { frame, RawMllpClient, readAck } from '../test/support/mllp-raw-client.js';

const total = Number(process.argv[2] ?? 3000);
const connections = Number(process.argv[3] ?? 4);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const t = await startTestEngine();
try {
  const perConnection = Math.ceil(total / connections);
  const latencies: number[] = [];
  let rejected = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const client = await RawMllpClient.connect(t.mllpPort);
      for (let i = 0; i < perConnection; i++) {
        const message = adt({ controlId: `B${c}-${i}`, nhsNumber: '', mrn: `BENCH${c}-${i % 50}`, visitNumber: `V${c}-${i % 50}` });
        const sentAt = performance.now();
        await client.write(frame(message));
        const acks = await client.waitFor(i + 1, 30_000);
        latencies.push(performance.now() - sentAt);
        if (readAck(acks[i] ?? '').code !== 'AA') rejected++;
      }
      client.destroy();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const sent = perConnection * connections;
  console.log(`MLLP round trip (embedded, ${connections} connections, ${sent} messages, ~${adt().length} B each)`);
  console.log(`  ${(sent / seconds).toFixed(0)} messages/s acknowledged, ACK latency p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms${rejected ? `, ${rejected} not AA` : ''}`);
} finally {
  await t.stop();
}
