/**
 * "Readable": the FHIR API returns the resource a message made. Every message of the bench carries
 * its own visit number, so its Encounter is new; a sampled message is readable when
 * `GET /fhir/Encounter?identifier=<visit numbers>` returns it. One poller asks for every sample still
 * pending in one request (oldest first, at most `batch`), every `intervalMs` — or, when a request
 * takes longer than a third of that, three times its duration after it started — so the poller keeps
 * the serving process busy a third of the time at most, whatever the rate. A sample counts as readable
 * when the response that holds it arrives: an upper bound, with the poll interval as its resolution.
 */
import { performance } from 'node:perf_hooks';

export interface ReadablePoller {
  /** `visit` was acknowledged at `ackAt` (performance.now) */
  expect(visit: string, ackAt: number): void;
  /** ACK → readable of every sample seen so far, ms */
  readonly latencies: number[];
  readonly pending: number;
  /** requests made */
  readonly requests: number;
  /** their mean duration, ms */
  readonly meanRequestMs: number;
  /** wait until nothing is pending, or `timeoutMs`; then stop */
  finish(timeoutMs: number): Promise<{ unread: number }>;
}

export function startReadablePoller(baseUrl: string, intervalMs: number, batch = 100): ReadablePoller {
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  let requests = 0;
  let requestMs = 0;
  let stopped = false;
  let failure: Error | undefined;

  async function pollOnce(): Promise<void> {
    const wanted = [...pending.keys()].slice(0, batch);
    if (wanted.length === 0) return;
    requests++;
    const started = performance.now();
    const res = await fetch(`${baseUrl}/fhir/Encounter?identifier=${wanted.map(encodeURIComponent).join(',')}&_count=${batch}`, {
      headers: { accept: 'application/fhir+json' },
    });
    const at = performance.now();
    if (res.status !== 200) throw new Error(`FHIR search answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { entry?: { resource?: { identifier?: { value?: string }[] } }[] };
    requestMs += performance.now() - started;
    for (const entry of body.entry ?? []) {
      for (const id of entry.resource?.identifier ?? []) {
        const ackAt = id.value === undefined ? undefined : pending.get(id.value);
        if (ackAt === undefined || id.value === undefined) continue;
        pending.delete(id.value);
        latencies.push(at - ackAt);
      }
    }
  }

  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        await pollOnce();
      } catch (err) {
        failure = err as Error;
        return;
      }
      const took = performance.now() - started;
      await new Promise((r) => setTimeout(r, Math.max(1, Math.max(intervalMs, 3 * took) - took)));
    }
  })();

  return {
    expect: (visit, ackAt) => void pending.set(visit, ackAt),
    latencies,
    get pending() {
      return pending.size;
    },
    get requests() {
      return requests;
    },
    get meanRequestMs() {
      return requests === 0 ? 0 : requestMs / requests;
    },
    async finish(timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (pending.size > 0 && performance.now() < deadline && !failure) await new Promise((r) => setTimeout(r, 20));
      stopped = true;
      await loop;
      if (failure) throw failure;
      return { unread: pending.size };
    },
  };
}

/** Poll `GET /fhir/Encounter?_summary=count` until it reaches `count`; when it did (performance.now), or undefined after timeoutMs. */
export async function waitForEncounterCount(baseUrl: string, count: number, timeoutMs: number, intervalMs = 50): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${baseUrl}/fhir/Encounter?_summary=count`, { headers: { accept: 'application/fhir+json' } });
    const at = performance.now();
    const body = (await res.json()) as { total?: number };
    if (res.status !== 200) throw new Error(`FHIR count answered ${res.status}: ${JSON.stringify(body)}`);
    if ((body.total ?? 0) >= count) return at;
    if (at > deadline) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Messages parked on any stage, from GET /admin/queues (a message that failed never becomes readable). */
export async function parkedCount(baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}/admin/queues`);
  if (res.status !== 200) return NaN;
  const body = (await res.json()) as { stages?: { parked?: number }[] };
  return (body.stages ?? []).reduce((n, s) => n + (s.parked ?? 0), 0);
}
