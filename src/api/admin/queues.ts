/** Admin handlers for the pipeline's queues and parked messages. They return data; router.ts adapts them. */
import type { JunctionMetrics } from '../../observability/metrics.js';
import { keyHash } from '../../pipeline/partition.js';
import type { StageName, Transport } from '../../pipeline/transport.js';

export interface PipelineAdminDeps {
  readonly transport: Pick<Transport, 'kind' | 'stats' | 'listParked' | 'resend'>;
  /** rates come from here; without it they are reported as null */
  readonly metrics?: JunctionMetrics;
}

export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

export const STAGE_NAMES: readonly StageName[] = ['inbound', 'records', 'changed'];
const MAX_LIMIT = 1000;

/** The transport cannot answer (broker unreachable, database down): 503 with the reason, nothing else. */
function unavailable(error: unknown): JsonReply {
  const message = error instanceof Error ? error.message : String(error);
  return { status: 503, body: { error: 'unavailable', message: `the pipeline cannot answer now: ${message}` } };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** GET /admin/queues: depth, in flight, parked and rates (messages/s over the last minute) per stage. */
export async function queuesReport(deps: PipelineAdminDeps): Promise<JsonReply> {
  let stats;
  try {
    stats = await deps.transport.stats();
  } catch (error) {
    return unavailable(error);
  }
  const stages = stats.map((s) => {
    const meter = deps.metrics?.rates[s.stage];
    return {
      stage: s.stage,
      ready: s.ready,
      inFlight: s.inFlight,
      parked: s.parked,
      ratePerSecond: meter ? { in: round(meter.in.perSecond()), out: round(meter.out.perSecond()) } : null,
    };
  });
  return { status: 200, body: { transport: deps.transport.kind, stages } };
}

function badRequest(message: string): JsonReply {
  return { status: 400, body: { error: 'bad-request', message } };
}

/** GET /admin/parked?stage=&limit=: parked messages, oldest first, with the key hashed (it can hold an NHS number). */
export async function parkedList(deps: PipelineAdminDeps, query: { stage?: string; limit?: string }): Promise<JsonReply> {
  const { stage, limit } = query;
  if (stage !== undefined && !(STAGE_NAMES as readonly string[]).includes(stage)) {
    return badRequest(`unknown stage "${stage}": use one of ${STAGE_NAMES.join(', ')}, or leave stage out for all`);
  }
  const rows = limit === undefined ? 100 : Number(limit);
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_LIMIT) return badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}, not "${limit}"`);
  let parked;
  try {
    parked = await deps.transport.listParked(stage as StageName | undefined, rows);
  } catch (error) {
    return unavailable(error);
  }
  return {
    status: 200,
    body: {
      parked: parked.map((p) => ({
        id: p.id,
        stage: p.stage,
        keyHash: keyHash(p.key),
        attempt: p.attempt,
        reason: p.reason,
        parkedAt: p.parkedAt.toISOString(),
        publishedAt: p.publishedAt.toISOString(),
      })),
    },
  };
}

/** POST /admin/parked/:id/resend: back to the end of its stage with attempt reset; 404 when no such parked message. */
export async function resendParked(deps: PipelineAdminDeps, id: string): Promise<JsonReply> {
  let resent;
  try {
    resent = await deps.transport.resend(id);
  } catch (error) {
    return unavailable(error);
  }
  return resent
    ? { status: 200, body: { resent: id } }
    : { status: 404, body: { error: 'not-found', message: `no parked message with id "${id}" (list them with GET /admin/parked)` } };
}
