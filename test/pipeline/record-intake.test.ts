/**
 * GP intake of CSV rows: a window of rows in flight at once, one patient's rows published one after another in file
 * order, nothing published after the pipeline fails, and the MLLP channels' metrics (received / acknowledged / failed).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMappingSet } from '../../src/mapping/index.js';
import { createRecordMapper, type CsvRecord } from '../../src/mapping/record-mapper.js';
import { createJunctionMetrics } from '../../src/observability/metrics.js';
import { createRecordIntake } from '../../src/pipeline/record-intake.js';
import type { Transport } from '../../src/pipeline/transport.js';
import { channel, mappingsDir } from '../support/mapping-harness.js';
import { inMemoryLocalTransport, type LocalUnderTest } from './support/local-factories.js';
import { waitFor } from './support/wait-for.js';

const records = createRecordMapper(loadMappingSet(mappingsDir));
const context = channel('gp-csv', 'D81025', 'Histon Road Surgery');
const HEADER = ['nhs_number', 'local_patient_id', 'problem_id', 'snomed_code', 'description', 'status', 'onset_date', 'end_date', 'recorded_date'];

function row(n: number, patient: string): CsvRecord {
  const values = Object.fromEntries(HEADER.map((h) => [h, ''])) as Record<string, string>;
  Object.assign(values, { local_patient_id: patient, problem_id: `P${n}`, snomed_code: '195967001', description: 'Asthma', status: 'active' });
  return { layout: 'gp-csv-problems', file: 'problems.csv', row: n + 2, values };
}

/** The real transport, its publishes slowed by a few ms and watched: how many at once, overall and per patient. */
function watched(transport: Transport, failAt?: number) {
  const seen = { calls: 0, inFlight: 0, maxInFlight: 0, perKey: new Map<string, number>(), maxPerKey: 0, keys: [] as string[] };
  const publish = async (stage: Parameters<Transport['publish']>[0], key: string, payload: unknown): Promise<void> => {
    const call = ++seen.calls;
    seen.keys.push(key);
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    seen.perKey.set(key, (seen.perKey.get(key) ?? 0) + 1);
    seen.maxPerKey = Math.max(seen.maxPerKey, seen.perKey.get(key) as number);
    try {
      await new Promise((r) => setTimeout(r, (call * 7) % 5));
      if (call === failAt) throw new Error('broker gone');
      await transport.publish(stage, key, payload);
    } finally {
      seen.inFlight--;
      seen.perKey.set(key, (seen.perKey.get(key) as number) - 1);
    }
  };
  const proxy = new Proxy(transport, {
    get: (t, k) => {
      if (k === 'publish') return publish;
      const v = Reflect.get(t, k) as unknown;
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  return { transport: proxy, seen };
}

describe('CSV rows: bounded concurrency, in order per patient', { timeout: 60_000 }, () => {
  let env: LocalUnderTest | undefined;
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });

  it('publishes up to the window at once, one patient at a time, and each patient is consumed in file order', async () => {
    env = await inMemoryLocalTransport();
    const { transport, seen } = watched(env.transport);
    const metrics = createJunctionMetrics();
    const intake = createRecordIntake({ transport, logger: pino({ level: 'silent' }), channel: () => ({ records, context }), metrics });
    const rows = Array.from({ length: 60 }, (_, n) => row(n, `L${n % 4}`));
    rows.splice(30, 0, { ...row(99, ''), row: 999 }); // names no patient: rejected, the rest go on
    const outcomes = await intake.submitRows('gp-csv', rows, { window: 8 });

    expect(outcomes.filter((o) => o.outcome === 'accepted')).toHaveLength(60);
    expect(outcomes[30]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/the row names no patient/) });
    expect(seen.maxInFlight).toBeGreaterThan(1);
    expect(seen.maxInFlight).toBeLessThanOrEqual(8);
    expect(seen.maxPerKey).toBe(1);

    const got = new Map<string, string[]>();
    env.transport.consume<{ raw: string }>('inbound', async (m) => {
      const r = JSON.parse(m.payload.raw) as CsvRecord;
      got.set(m.key, [...(got.get(m.key) ?? []), r.values['problem_id'] as string]);
    });
    await waitFor('every row consumed', async () => [...got.values()].flat().length === 60);
    for (const [, ids] of got) {
      const numbers = ids.map((id) => Number(id.slice(1)));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(numbers).toHaveLength(15);
    }
    expect(metrics.received.get({ channel: 'gp-csv' })).toBe(61);
    expect(metrics.acknowledged.get({ channel: 'gp-csv' })).toBe(60);
    expect(metrics.failed.get({ channel: 'gp-csv', where: 'intake' })).toBe(1);
  });

  it('publishes nothing more once the pipeline fails; no patient has a row accepted after one of theirs that was not', async () => {
    env = await inMemoryLocalTransport();
    const { transport, seen } = watched(env.transport, 10);
    const intake = createRecordIntake({ transport, logger: pino({ level: 'silent' }), channel: () => ({ records, context }) });
    const rows = Array.from({ length: 40 }, (_, n) => row(n, `L${n % 3}`));
    const outcomes = await intake.submitRows('gp-csv', rows, { window: 4 });
    expect(seen.calls).toBeLessThan(10 + 4);
    expect(outcomes.at(-1)?.outcome).toBe('unavailable');
    const failedFor = new Set<string>();
    outcomes.forEach((o, i) => {
      const patient = rows[i]?.values['local_patient_id'] as string;
      if (o.outcome !== 'accepted') failedFor.add(patient);
      else expect(failedFor.has(patient), `row ${i} accepted after an earlier row of ${patient} was not`).toBe(false);
    });
  });
});
