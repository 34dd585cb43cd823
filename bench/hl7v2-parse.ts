/**
 * HL7 v2 parser and MLLP framer throughput (of the tsc output, as production runs it). Run: npx tsx bench/hl7v2-parse.ts
 * Prints figures only.
 */
import type * as Hl7v2 from '../src/hl7v2/index.js';
import { ADT_A01, BENCH_PATHS } from '../test/hl7v2/fixtures/messages.js';
import { compileSources, load } from './compiled-src.js';

// the parser and framer as production runs them: compiled by tsc (see compiled-src.ts)
const { encodeFrame, MllpFramer, parseMessage } = await load<typeof Hl7v2>(compileSources('hl7v2', ['hl7v2/index.ts']), 'hl7v2/index.js');

const DURATION_MS = 2000;

interface Run {
  iterations: number;
  /** wall-clock seconds */
  seconds: number;
  /** CPU seconds used by this process (steadier than wall time on a busy machine) */
  cpuSeconds: number;
}

function runFor(ms: number, batch: number, work: () => void): Run {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const limit = start + BigInt(ms) * 1_000_000n;
  let iterations = 0;
  let now = start;
  while (now < limit) {
    for (let i = 0; i < batch; i++) work();
    iterations += batch;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { iterations, seconds: Number(now - start) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function rate(n: number): string {
  return Math.round(n).toLocaleString('en-GB');
}

let sink = 0;

function parseAndRead(): void {
  const message = parseMessage(ADT_A01);
  for (const path of BENCH_PATHS) {
    const v = message.get(path);
    if (typeof v === 'string') sink += v.length;
  }
}

function benchParser(): void {
  runFor(300, 1000, parseAndRead); // warm up
  const run = runFor(DURATION_MS, 1000, parseAndRead);
  const perSecond = run.iterations / run.seconds;
  console.log(
    `parse + ${BENCH_PATHS.length} field reads, ${ADT_A01.length}-byte ADT_A01: ${rate(perSecond)} messages/s ` +
      `(${(1e6 / perSecond).toFixed(2)} µs each; ${rate(run.iterations / run.cpuSeconds)} per CPU-second)`,
  );
  const parseOnly = runFor(DURATION_MS / 2, 1000, () => {
    sink += parseMessage(ADT_A01).segments.length;
  });
  console.log(
    `parse only: ${rate(parseOnly.iterations / parseOnly.seconds)} messages/s ` +
      `(${rate(parseOnly.iterations / parseOnly.cpuSeconds)} per CPU-second)`,
  );
}

function benchFramer(chunkSize: number): void {
  const frame = encodeFrame(ADT_A01);
  const stream = Buffer.concat(Array.from({ length: 1000 }, () => frame));
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += chunkSize) chunks.push(stream.subarray(at, at + chunkSize));
  const framer = new MllpFramer({ maxFrameBytes: 1 << 20 });
  const pass = (): void => {
    for (const chunk of chunks) sink += framer.push(chunk).length;
  };
  runFor(300, 1, pass);
  const { iterations, seconds } = runFor(DURATION_MS / 2, 1, pass);
  const mb = (iterations * stream.length) / seconds / (1024 * 1024);
  console.log(`MLLP framer, ${chunkSize}-byte chunks: ${mb.toFixed(1)} MB/s (${rate((iterations * 1000) / seconds)} frames/s)`);
}

benchParser();
benchFramer(65536);
benchFramer(1500);
benchFramer(64);
if (sink === -1) console.log('unreachable');
