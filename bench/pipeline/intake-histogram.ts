/**
 * The engine's own view of ACK latency: junction_intake_duration_seconds from the ingest process's
 * /metrics (arrival at intake → ACK ready, durable publish included), read before and after a phase.
 * What the sender sees on top of it is the network, the time a frame waits for the event loop before
 * intake starts on it, and the sender's own stalls.
 */
export interface Buckets {
  /** upper bound in seconds → cumulative count */
  readonly counts: ReadonlyMap<number, number>;
}

export async function readIntakeBuckets(baseUrl: string): Promise<Buckets> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const counts = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /^junction_intake_duration_seconds_bucket\{[^}]*le="([^"]+)"\} (\d+)/.exec(line);
    if (!m) continue;
    const bound = m[1] === '+Inf' ? Infinity : Number(m[1]);
    counts.set(bound, (counts.get(bound) ?? 0) + Number(m[2]));
  }
  return { counts };
}

/** Between two readings: how many were timed, the bucket bound under which p50 and p99 fall (ms), and the share ≤ 10 ms. */
export function summarise(before: Buckets, after: Buckets): { n: number; p50: number; p99: number; within10ms: number } {
  const bounds = [...after.counts.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => (after.counts.get(b) ?? 0) - (before.counts.get(b) ?? 0));
  const n = cumulative[cumulative.length - 1] ?? 0;
  const under = (q: number) => 1000 * (bounds[cumulative.findIndex((c) => c >= q * n)] ?? NaN);
  const at10 = bounds.indexOf(0.01);
  return { n, p50: under(0.5), p99: under(0.99), within10ms: n === 0 || at10 < 0 ? NaN : (cumulative[at10] ?? 0) / n };
}
