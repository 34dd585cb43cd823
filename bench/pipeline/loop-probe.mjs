// Preloaded (node --import) into the engine processes the pipeline bench starts; not part of Junction.
// Over the IPC channel the bench asks it to `reset` and `report`: event-loop delay (how late a 2 ms
// timer fires: a stall in this process delays every ACK or apply behind it), garbage-collection
// pauses, and CPU time used since the last reset.
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

const RESOLUTION_MS = 2;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
const noGc = () => ({ count: 0, totalMs: 0, maxMs: 0, major: 0, majorMaxMs: 0, kinds: {} });
let gc = noGc();
// kind 2 is a full mark-compact (NODE_PERFORMANCE_GC_MAJOR); the others are scavenges and incremental steps
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    const kind = entry.detail?.kind ?? 0;
    gc.kinds[kind] = (gc.kinds[kind] ?? 0) + 1;
    if (kind === 2) {
      gc.major++;
      gc.majorMaxMs = Math.max(gc.majorMaxMs, entry.duration);
    }
  }
}).observe({ entryTypes: ['gc'] });
let cpu = process.cpuUsage();
let since = performance.now();

/** how late the timer fired, in ms (the histogram holds whole intervals, the resolution included) */
const late = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

process.on('message', (message) => {
  if (!message || typeof message !== 'object' || typeof message.probe !== 'string') return;
  if (message.probe === 'reset') {
    delay.reset();
    gc = noGc();
    cpu = process.cpuUsage();
    since = performance.now();
    process.send?.({ probe: 'reset', id: message.id });
  } else if (message.probe === 'report') {
    const used = process.cpuUsage(cpu);
    const elapsedMs = performance.now() - since;
    process.send?.({
      probe: 'report',
      id: message.id,
      loop: { p50: late(delay.percentile(50)), p99: late(delay.percentile(99)), max: late(delay.max) },
      gc: { ...gc },
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
      cpuShare: (used.user + used.system) / 1000 / elapsedMs,
      elapsedMs,
    });
  }
});
// the IPC channel must not keep the process alive on its own
process.channel?.unref();
