/**
 * Where the pipeline's events meet the metrics: intake outcomes per channel, and stage handler
 * outcomes and durations. Both transports get the same counts, since they are taken around the
 * intake and the handlers rather than inside a transport.
 */
import type { JunctionMetrics } from '../observability/metrics.js';
import { CONSUME_DEFAULTS } from './local-transport.js';
import {
  UnrecoverableError,
  type BatchStageHandler,
  type ConsumeOptions,
  type StageHandler,
  type StageName,
  type Transport,
} from './transport.js';

/** The part of an Intake counted here (structural, so intake.ts can use this module without a cycle). */
interface ReceivingIntake {
  receive(channel: { readonly id: string }, text: string): Promise<{ readonly outcome: string }>;
}

/**
 * Count what the intake receives and how it answers, and time each accepted message from its arrival
 * at intake to its ACK being ready (durable publish included): the engine's share of the ACK latency.
 */
export function countedIntake<I extends ReceivingIntake>(intake: I, metrics: JunctionMetrics, now: () => number = () => performance.now()): I {
  return {
    ...intake,
    async receive(channel, text) {
      metrics.received.inc({ channel: channel.id });
      const started = now();
      const reply = await intake.receive(channel, text);
      if (reply.outcome === 'accepted') {
        metrics.intakeDuration.observe({ channel: channel.id }, (now() - started) / 1000);
        metrics.acknowledged.inc({ channel: channel.id });
        metrics.rates.inbound.in.mark();
      } else {
        metrics.failed.inc({ channel: channel.id, where: 'intake' });
      }
      return reply;
    },
  } as I;
}

function channelOf(payload: unknown): string {
  const source = (payload as { source?: { channelId?: unknown } } | null)?.source;
  return typeof source?.channelId === 'string' ? source.channelId : 'unknown';
}

function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}

/**
 * Time a stage handler and count its outcomes. A failure that the transport will park (unrecoverable,
 * or the last attempt) is counted as parked. `next`: the stage this handler publishes to on success.
 */
export function instrumentedHandler<P>(
  stage: StageName,
  handler: StageHandler<P>,
  metrics: JunctionMetrics | undefined,
  options: ConsumeOptions = {},
  next?: StageName,
): StageHandler<P> {
  if (!metrics) return handler;
  const maxAttempts = options.maxAttempts ?? CONSUME_DEFAULTS.maxAttempts;
  return async (message) => {
    const started = performance.now();
    if (message.attempt > 1) metrics.redelivered.inc({ stage });
    try {
      await handler(message);
    } catch (error) {
      const channel = channelOf(message.payload);
      metrics.failed.inc({ channel, where: stage });
      if (isUnrecoverable(error) || message.attempt >= maxAttempts) metrics.parked.inc({ channel, stage });
      throw error;
    }
    metrics.stageDuration.observe({ stage }, (performance.now() - started) / 1000);
    metrics.rates[stage].out.mark();
    if (next) metrics.rates[next].in.mark();
  };
}

/**
 * Time a batch handler and count each message's outcome as {@link instrumentedHandler} would (every message
 * of a batch is a first delivery; the batch's duration is each message's time in the handler).
 */
export function instrumentedBatchHandler<P>(
  stage: StageName,
  handler: BatchStageHandler<P>,
  metrics: JunctionMetrics | undefined,
  options: Pick<ConsumeOptions, 'maxAttempts'> = {},
): BatchStageHandler<P> {
  if (!metrics) return handler;
  const maxAttempts = options.maxAttempts ?? CONSUME_DEFAULTS.maxAttempts;
  return async (messages) => {
    const started = performance.now();
    const outcomes = await handler(messages);
    const seconds = (performance.now() - started) / 1000;
    outcomes.forEach((outcome, i) => {
      const message = messages[i];
      if (!message) return;
      if (outcome.ok) {
        metrics.stageDuration.observe({ stage }, seconds);
        metrics.rates[stage].out.mark();
        return;
      }
      const channel = channelOf(message.payload);
      metrics.failed.inc({ channel, where: stage });
      if (isUnrecoverable(outcome.error) || message.attempt >= maxAttempts) metrics.parked.inc({ channel, stage });
    });
    return outcomes;
  };
}

/** Read queue depths into the junction_queue_depth gauge at every scrape. */
export function collectQueueDepths(metrics: JunctionMetrics, transport: Pick<Transport, 'stats'>): void {
  metrics.registry.addCollector(async () => {
    for (const s of await transport.stats()) {
      metrics.queueDepth.set({ stage: s.stage, state: 'ready' }, s.ready);
      metrics.queueDepth.set({ stage: s.stage, state: 'in_flight' }, s.inFlight);
      metrics.queueDepth.set({ stage: s.stage, state: 'parked' }, s.parked);
    }
  });
}
