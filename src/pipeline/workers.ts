import type { Logger } from 'pino';
import { parseMessage } from '../hl7v2/index.js';
import { MappingError, type ChannelContext, type Mapper } from '../mapping/types.js';
import type { RecordStore } from '../store/types.js';
import type { JunctionMetrics } from '../observability/metrics.js';
import { recordsPayload, type InboundPayload, type RecordsPayload } from './payloads.js';
import { mapRecordInput, type RecordChannel } from './record-input.js';
import { instrumentedHandler } from './pipeline-metrics.js';
import { UnrecoverableError, type ConsumeOptions, type Consumer, type Transport } from './transport.js';

export interface WorkerDeps {
  readonly transport: Transport;
  readonly store: RecordStore;
  /** the mapper and channel context for a channel id; undefined when the channel is unknown */
  readonly channel: (channelId: string) => ({ readonly mapper: Mapper; readonly context: ChannelContext } & RecordChannel) | undefined;
  readonly logger: Logger;
  readonly consume?: ConsumeOptions;
  /** stage durations, failures and parks per channel */
  readonly metrics?: JunctionMetrics;
}

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

  consumers.push(
    deps.transport.consume<RecordsPayload>(
      'records',
      instrumentedHandler<RecordsPayload>('records', async (m) => {
        const p = m.payload;
        const result = await deps.store.apply(p);
        if (result.status === 'duplicate') deps.metrics?.duplicates.inc({ channel: p.source.channelId });
        log.debug(
          { channel: p.source.channelId, controlId: p.source.controlId, status: result.status, changed: result.versions.filter((v) => v.changed).length },
          'message applied',
        );
      }, deps.metrics, deps.consume),
      deps.consume,
    ),
  );

  return {
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
