/**
 * /admin/queues, /admin/parked, resend and /metrics over real HTTP, on the local transport (in-memory
 * PGlite) and, with JUNCTION_TEST_AMQP_URL set, on RabbitMQ. Also `junction replay --parked` (replayParked).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createJunctionMetrics, type JunctionMetrics } from '../../src/observability/metrics.js';
import { replayParked } from '../../src/cli/replay.js';
import { instrumentedHandler } from '../../src/pipeline/pipeline-metrics.js';
import { UnrecoverableError, type StageMessage } from '../../src/pipeline/transport.js';
import { amqpTransportUnderTest } from '../pipeline/support/amqp-factories.js';
import { inMemoryLocalTransport } from '../pipeline/support/local-factories.js';
import { waitFor } from '../pipeline/support/wait-for.js';
import type { TransportUnderTest } from '../pipeline/transport.conformance.js';
import { json, startApi, type RunningApi } from './support/server.js';

const amqpUrl = process.env['JUNCTION_TEST_AMQP_URL'];
const factories: [string, () => Promise<TransportUnderTest>][] = [['local', () => inMemoryLocalTransport()]];
if (amqpUrl) factories.push(['amqp', () => amqpTransportUnderTest(amqpUrl)]);

/** a key as intake makes them: it holds an NHS number, which must never reach an admin screen */
const SECRET_KEY = 'nhs:9434765919';

for (const [name, factory] of factories) {
  describe(`pipeline admin API on the ${name} transport`, { timeout: 60_000 }, () => {
    let env: TransportUnderTest | undefined;
    let api: RunningApi | undefined;
    afterEach(async () => {
      await api?.close();
      await env?.cleanup();
      api = env = undefined;
    });

    async function start(metrics?: JunctionMetrics, token?: string) {
      env = await factory();
      api = await startApi([], { admin: { transport: env.transport, ...(metrics ? { metrics } : {}), ...(token ? { token } : {}) } });
      return { transport: env.transport, api };
    }

    it('lists parked messages with the key hashed, resends one (404 for unknown ids), and reports queues', async () => {
      const metrics = createJunctionMetrics();
      const { transport, api } = await start(metrics);
      await transport.publish('records', SECRET_KEY, { source: { channelId: 'acme-adt' }, n: 1 });
      await transport.publish('records', 'other', { source: { channelId: 'acme-adt' }, n: 2 });
      let refuse = true;
      const handled: StageMessage[] = [];
      const handler = instrumentedHandler(
        'records',
        async (m: StageMessage) => {
          if (refuse && m.key === SECRET_KEY) throw new UnrecoverableError('no concept map for ward ZZ');
          handled.push(m);
        },
        metrics,
      );
      transport.consume('records', handler);
      await waitFor('the other message handled', () => handled.length === 1);

      const listed = await waitFor('one parked message listed', async () => {
        const body = await json(await api.fetch('/admin/parked?stage=records'));
        return body['parked']?.length === 1 ? body['parked'] : undefined;
      });
      const text = JSON.stringify(listed);
      expect(text).not.toContain('9434765919');
      expect(listed[0]).toMatchObject({ stage: 'records', attempt: 1 });
      expect(listed[0].keyHash).toMatch(/^[0-9a-f]{8}$/);
      expect(listed[0].reason).toContain('no concept map for ward ZZ');
      expect(Number.isNaN(Date.parse(listed[0].parkedAt))).toBe(false);
      expect((await json(await api.fetch('/admin/parked?stage=inbound')))['parked']).toEqual([]);

      const queues = await waitFor('queues showing the parked message', async () => {
        const body = await json(await api.fetch('/admin/queues'));
        const records = body['stages']?.find((s: { stage: string }) => s.stage === 'records');
        return records?.parked === 1 && records.ready === 0 && records.inFlight === 0 ? body : undefined;
      });
      expect(queues['transport']).toBe(name);
      expect(queues['stages'].map((s: { stage: string }) => s.stage).sort()).toEqual(['changed', 'inbound', 'records']);
      const records = queues['stages'].find((s: { stage: string }) => s.stage === 'records');
      expect(records.ratePerSecond.out).toBeGreaterThan(0);

      expect((await api.fetch('/admin/parked/no-such-id/resend', { method: 'POST' })).status).toBe(404);
      refuse = false;
      const resent = await api.fetch(`/admin/parked/${encodeURIComponent(listed[0].id)}/resend`, { method: 'POST' });
      expect(resent.status).toBe(200);
      await waitFor('the resent message handled', () => handled.length === 2);
      expect(handled[1]).toMatchObject({ key: SECRET_KEY, attempt: 1 });
      expect((await api.fetch(`/admin/parked/${encodeURIComponent(listed[0].id)}/resend`, { method: 'POST' })).status).toBe(404);
    });

    it('serves /metrics with counters, the stage histogram and queue depths read at scrape time', async () => {
      const metrics = createJunctionMetrics();
      const { collectQueueDepths } = await import('../../src/pipeline/pipeline-metrics.js');
      const { transport, api } = await start(metrics);
      collectQueueDepths(metrics, transport);
      for (const n of [1, 2, 3]) await transport.publish('inbound', `k${n}`, { source: { channelId: 'acme-adt' }, n });
      await waitFor('three ready', async () => (await transport.stats()).find((s) => s.stage === 'inbound')?.ready === 3);
      const response = await api.fetch('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await response.text();
      expect(text).toContain('junction_queue_depth{stage="inbound",state="ready"} 3');
      expect(text).toContain('junction_queue_depth{stage="records",state="parked"} 0');

      transport.consume(
        'inbound',
        instrumentedHandler('inbound', async (m: StageMessage<{ n: number }>) => {
          if (m.payload.n === 2) throw new UnrecoverableError('refused');
        }, metrics),
      );
      await waitFor('one parked', async () => (await transport.stats()).find((s) => s.stage === 'inbound')?.parked === 1);
      const after = await (await api.fetch('/metrics')).text();
      expect(after).toContain('junction_messages_failed_total{channel="acme-adt",where="inbound"} 1');
      expect(after).toContain('junction_messages_parked_total{channel="acme-adt",stage="inbound"} 1');
      expect(after).toContain('junction_stage_duration_seconds_count{stage="inbound"} 2');
    });

    it('with a token, refuses requests without it', async () => {
      const { api } = await start(createJunctionMetrics(), 's3cret');
      expect((await api.fetch('/admin/queues')).status).toBe(401);
      expect((await api.fetch('/metrics')).status).toBe(401);
      expect((await api.fetch('/admin/queues', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await api.fetch('/admin/queues', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    });

    it('answers 400 for an unknown stage or a bad limit', async () => {
      const { api } = await start();
      const bad = await api.fetch('/admin/parked?stage=outbound');
      expect(bad.status).toBe(400);
      expect((await json(bad))['message']).toContain('inbound, records, changed');
      expect((await api.fetch('/admin/parked?limit=0')).status).toBe(400);
    });

    it('replay --parked resends every parked message of the stage asked for', async () => {
      const { transport } = await start();
      for (const n of [1, 2, 3]) await transport.publish('records', `r${n}`, { n });
      await transport.publish('inbound', 'i1', { n: 9 });
      let refuse = true;
      const handled: number[] = [];
      const handler = async (m: StageMessage<{ n: number }>) => {
        if (refuse) throw new UnrecoverableError('refused');
        handled.push(m.payload.n);
      };
      transport.consume('records', handler);
      transport.consume('inbound', handler);
      await waitFor('four parked', async () => (await transport.listParked()).length === 4);
      refuse = false;

      const counts = await replayParked(transport, 'records');
      expect(counts).toEqual({ resent: 3, missed: 0, byStage: { inbound: 0, records: 3, changed: 0 } });
      await waitFor('three handled', () => handled.length === 3);
      expect(handled.sort()).toEqual([1, 2, 3]);
      expect((await transport.listParked()).map((p) => p.stage)).toEqual(['inbound']);
      expect(await replayParked(transport)).toMatchObject({ resent: 1, byStage: { inbound: 1 } });
    });
  });
}
