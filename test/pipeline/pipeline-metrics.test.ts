import { describe, expect, it } from 'vitest';
import { createJunctionMetrics } from '../../src/observability/metrics.js';
import { countedIntake } from '../../src/pipeline/pipeline-metrics.js';

/** An intake whose every receive takes `ms` on the fake clock and answers `outcome`. */
function fakeIntake(clock: { t: number }, ms: number, outcome: string) {
  return {
    async receive(_channel: { readonly id: string }, _text: string) {
      clock.t += ms;
      return { outcome };
    },
  };
}

describe('countedIntake', () => {
  it('times accepted messages from arrival to ACK into junction_intake_duration_seconds, per channel', async () => {
    const metrics = createJunctionMetrics();
    const clock = { t: 1000 };
    const channel = { id: 'acme-adt' };
    await countedIntake(fakeIntake(clock, 3, 'accepted'), metrics, () => clock.t).receive(channel, 'MSH|');
    await countedIntake(fakeIntake(clock, 40, 'accepted'), metrics, () => clock.t).receive(channel, 'MSH|');
    const text = await metrics.registry.render();
    expect(text).toContain('junction_intake_duration_seconds_bucket{channel="acme-adt",le="0.002"} 0');
    expect(text).toContain('junction_intake_duration_seconds_bucket{channel="acme-adt",le="0.003"} 1');
    expect(text).toContain('junction_intake_duration_seconds_bucket{channel="acme-adt",le="0.02"} 1');
    expect(text).toContain('junction_intake_duration_seconds_bucket{channel="acme-adt",le="0.05"} 2');
    expect(text).toContain('junction_intake_duration_seconds_sum{channel="acme-adt"} 0.043');
    expect(text).toContain('junction_messages_acknowledged_total{channel="acme-adt"} 2');
  });

  it('does not time messages answered AE/AR; it counts them as failed at intake', async () => {
    const metrics = createJunctionMetrics();
    const clock = { t: 0 };
    const reply = await countedIntake(fakeIntake(clock, 5, 'rejected'), metrics, () => clock.t).receive({ id: 'acme-adt' }, 'garbage');
    expect(reply.outcome).toBe('rejected');
    const text = await metrics.registry.render();
    expect(text).not.toContain('junction_intake_duration_seconds_count{channel="acme-adt"}');
    expect(text).toContain('junction_messages_failed_total{channel="acme-adt",where="intake"} 1');
  });
});
