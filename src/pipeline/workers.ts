import type { Logger } from 'pino';
import { parseMessage } from '../hl7v2/index.js';
import { MappingError, type ChannelContext, type Mapper } from '../mapping/types.js';
import type { ApplyResult, RecordStore } from '../store/types.js';
import type { JunctionMetrics } from '../observability/metrics.js';
import { recordsPayload, type InboundPayload, type RecordsPayload } from './payloads.js';
import { mapRecordInput, type RecordChannel } from './record-input.js';
import { instrumentedBatchHandler, instrumentedHandler } from './pipeline-metrics.js';
import {
  UnrecoverableError,
  type BatchStageHandler,
  type ConsumeOptions,
  type Consumer,
  type MessageOutcome,
  type Transport,
} from './transport.js';

export interface WorkerDeps {
  readonly transport: Transport;
  readonly store: RecordStore;
  /** the mapper and channel context for a channel id; undefined when the channel is unknown */
  readonly channel: (channelId: string) => ({ readonly mapper: Mapper; readonly context: ChannelContext } & RecordChannel) | undefined;
  readonly logger: Logger;
  readonly consume?: ConsumeOptions;
  /** stage durations, failures and parks per channel */
  readonly metrics?: JunctionMetrics;
  /**
   * The records stage hands up to this many ready messages (of different patients) to the store at once, one
   * transaction (`RecordStore.applyMany`), acking each after that commit; 1 (or a store without applyMany)
   * applies one message per transaction. Default 1.
   */
  readonly recordsBatch?: number;
  /**
   * Records batches applied at once (each one transaction on its own database connection), at most; default
   * RECORDS_BATCH_CONCURRENCY. Few on purpose: while they run, deliveries gather into the next batches, so a
   * busy stage applies big batches; with as many slots as `consume.concurrency` every delivery found a free
   * slot at once, and batches of 1–4 queued on the database pool.
   */
  readonly recordsBatchConcurrency?: number;
}

/** Default for WorkerDeps.recordsBatchConcurrency. */
export const RECORDS_BATCH_CONCURRENCY = 4;

export interface Workers {
  stop(): Promise<void>;
}

/**
 * Stage workers: `inbound` → map → `records` → apply to the store. Each acknowledges only after its
 * effect is durable (the next stage's publish, or the store's commit). A message that cannot be
 * mapped is parked at once with the reason; other failures are retried with backoff, then parked.
 */
export function startWorkers(deps: WorkerDeps): Workers {
  const log = deps.logger;
  const consumers: Consumer[] = [];

  consumers.push(
    deps.transport.consume<InboundPayload>(
      'inbound',
      instrumentedHandler<InboundPayload>('inbound', async (m) => {
        const { source, raw } = m.payload;
        const channel = deps.channel(source.channelId);
        if (!channel) throw new UnrecoverableError(`channel "${source.channelId}" is not configured (any more); add it back to junction.yaml and resend`);
        let result;
        try {
          const format = m.payload.format ?? 'hl7v2';
          result = format === 'hl7v2' ? channel.mapper.map(parseMessage(raw), channel.context) : mapRecordInput(channel, format, raw);
        } catch (err) {
          if (err instanceof MappingError) {
            throw new UnrecoverableError(`mapping failed${err.where ? ` at ${err.where}` : ''}: ${err.message}`);
          }
          throw err;
        }
        await deps.transport.publish('records', m.key, recordsPayload(source, raw, result));
      }, deps.metrics, deps.consume, 'records'),
      deps.consume,
    ),
  );

  const applied = (p: RecordsPayload, result: ApplyResult) => {
    if (result.status === 'duplicate') deps.metrics?.duplicates.inc({ channel: p.source.channelId });
    log.debug(
      { channel: p.source.channelId, controlId: p.source.controlId, status: result.status, changed: result.versions.filter((v) => v.changed).length },
      'message applied',
    );
  };
  const store = deps.store;
  const applyMany = store.applyMany?.bind(store);
  const batchSize = deps.recordsBatch ?? 1;
  const applyBatch: BatchStageHandler<RecordsPayload> | undefined =
    applyMany && batchSize > 1
      ? async (messages) => {
          const outcomes = await applyMany(messages.map((m) => m.payload));
          return outcomes.map((outcome, i): MessageOutcome => {
            if (!outcome.ok) return { ok: false, error: outcome.error };
            applied((messages[i] as (typeof messages)[number]).payload, outcome.result);
            return { ok: true };
          });
        }
      : undefined;
  const recordsOptions: ConsumeOptions<RecordsPayload> = {
    ...deps.consume,
    ...(applyBatch
      ? { concurrency: Math.min(deps.consume?.concurrency ?? 1, deps.recordsBatchConcurrency ?? RECORDS_BATCH_CONCURRENCY) }
      : {}),
    ...(applyBatch ? { batch: { handler: instrumentedBatchHandler('records', applyBatch, deps.metrics, deps.consume), maxMessages: batchSize } } : {}),
  };
  consumers.push(
    deps.transport.consume<RecordsPayload>(
      'records',
      instrumentedHandler<RecordsPayload>('records', async (m) => applied(m.payload, await store.apply(m.payload)), deps.metrics, deps.consume),
      recordsOptions,
    ),
  );

  return {
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
