import { describe, expect, it } from 'vitest';
import { createJunctionMetrics, MetricsRegistry, RateMeter } from '../../src/observability/metrics.js';

describe('Prometheus metrics', () => {
  it('renders counters and gauges with labels, escaping label values', async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('jobs_total', 'Jobs done\nper "kind"', ['kind']);
    const gauge = registry.gauge('depth', 'Depth', ['stage', 'state']);
    counter.inc({ kind: 'a' });
    counter.inc({ kind: 'a' }, 2);
    counter.inc({ kind: 'say "hi"\\now\n' });
    gauge.set({ stage: 'records', state: 'ready' }, 7);
    gauge.set({ stage: 'records', state: 'ready' }, 4);
    const text = await registry.render();
    expect(text).toBe(
      [
        '# HELP jobs_total Jobs done\\nper "kind"',
        '# TYPE jobs_total counter',
        'jobs_total{kind="a"} 3',
        'jobs_total{kind="say \\"hi\\"\\\\now\\n"} 1',
        '# HELP depth Depth',
        '# TYPE depth gauge',
        'depth{stage="records",state="ready"} 4',
        '',
      ].join('\n'),
    );
  });

  it('renders a histogram with cumulative buckets, +Inf, sum and count', async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram('took_seconds', 'Time', ['stage'], [0.1, 1]);
    histogram.observe({ stage: 'inbound' }, 0.05);
    histogram.observe({ stage: 'inbound' }, 0.5);
    histogram.observe({ stage: 'inbound' }, 3);
    const lines = (await registry.render()).trim().split('\n');
    expect(lines).toEqual([
      '# HELP took_seconds Time',
      '# TYPE took_seconds histogram',
      'took_seconds_bucket{stage="inbound",le="0.1"} 1',
      'took_seconds_bucket{stage="inbound",le="1"} 2',
      'took_seconds_bucket{stage="inbound",le="+Inf"} 3',
      'took_seconds_sum{stage="inbound"} 3.55',
      'took_seconds_count{stage="inbound"} 3',
    ]);
  });

  it('refuses bad names, missing labels, negative increments and duplicate metrics', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('bad-name', 'x')).toThrow(/invalid metric name/);
    const counter = registry.counter('c_total', 'x', ['channel']);
    expect(() => counter.inc({} as { channel: string })).toThrow(/needs label "channel"/);
    expect(() => counter.inc({ channel: 'a' }, -1)).toThrow(/only go up/);
    expect(() => registry.counter('c_total', 'again')).toThrow(/already registered/);
    expect(() => registry.histogram('h', 'x', ['le'])).toThrow(/"le"/);
  });

  it('runs collectors before rendering, and a failing collector does not break the scrape', async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge('queue', 'q');
    let n = 0;
    registry.addCollector(() => gauge.set(undefined, ++n));
    registry.addCollector(async () => {
      throw new Error('broker down');
    });
    expect(await registry.render()).toContain('queue 1');
    expect(await registry.render()).toContain('queue 2');
  });

  it('RateMeter averages over the last minute and forgets older seconds', () => {
    let now = 1_000_000;
    const meter = new RateMeter(60, () => now);
    meter.mark(30);
    now += 10_000;
    expect(meter.perSecond()).toBe(3); // 30 over the 10 s since start
    meter.mark(30);
    now += 49_000;
    expect(meter.perSecond()).toBeCloseTo(60 / 59, 6); // 60 over the 59 s since start
    now += 2_000; // the first 30 are now older than a minute
    expect(meter.perSecond()).toBe(0.5);
    now += 120_000;
    expect(meter.perSecond()).toBe(0);
  });

  it('createJunctionMetrics exposes the metric names the dashboards use', async () => {
    const metrics = createJunctionMetrics();
    metrics.received.inc({ channel: 'acme-adt' });
    metrics.acknowledged.inc({ channel: 'acme-adt' });
    metrics.failed.inc({ channel: 'acme-adt', where: 'intake' });
    metrics.parked.inc({ channel: 'acme-adt', stage: 'inbound' });
    metrics.stageDuration.observe({ stage: 'records' }, 0.004);
    metrics.queueDepth.set({ stage: 'inbound', state: 'ready' }, 12);
    const text = await metrics.registry.render();
    for (const line of [
      'junction_messages_received_total{channel="acme-adt"} 1',
      'junction_messages_acknowledged_total{channel="acme-adt"} 1',
      'junction_messages_failed_total{channel="acme-adt",where="intake"} 1',
      'junction_messages_parked_total{channel="acme-adt",stage="inbound"} 1',
      'junction_stage_duration_seconds_bucket{stage="records",le="0.005"} 1',
      'junction_stage_duration_seconds_bucket{stage="records",le="0.0025"} 0',
      'junction_queue_depth{stage="inbound",state="ready"} 12',
    ]) {
      expect(text).toContain(line);
    }
  });
});
