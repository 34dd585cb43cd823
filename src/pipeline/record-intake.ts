/**
 * Intake for GP feeds (GP Connect bundles, CSV rows): check that the channel's mappings can map the input
 * (a dry run of the pure mapper, so that a sender or a file report hears at once what is wrong and where —
 * mapping file:line and the rule), find who it is about, make it durable on stage `inbound` keyed by that
 * person, and only then say accepted. Never throws.
 */
import type { Logger } from 'pino';
import type { CsvRecord } from '../mapping/record-mapper.js';
import { csvPersonKey, fhirPersonKey } from '../mapping/record-identity.js';
import { MappingError } from '../mapping/types.js';
import type { MessageSource } from '../store/types.js';
import type { InboundPayload } from './payloads.js';
import { contentHash, GP_CONNECT_STRUCTURE, type RecordChannel } from './record-input.js';
import type { Transport } from './transport.js';

export interface RecordIntakeDeps {
  readonly transport: Transport;
  readonly logger: Logger;
  /** the mappers of a channel id; undefined when the channel is unknown */
  readonly channel: (channelId: string) => RecordChannel | undefined;
  readonly clock?: () => Date;
}

export type RecordOutcome =
  | { readonly outcome: 'accepted'; readonly messageId: string; readonly warnings: readonly string[] }
  /** the input is wrong: the sender must change it */
  | { readonly outcome: 'rejected'; readonly reason: string }
  /** we cannot take it now: try again later */
  | { readonly outcome: 'unavailable'; readonly reason: string };

export interface RecordIntake {
  /** a GP Connect structured record: the raw body and its parsed JSON */
  submitBundle(channelId: string, raw: string, parsed: unknown): Promise<RecordOutcome>;
  /** one row of a CSV extract */
  submitRow(channelId: string, record: CsvRecord): Promise<RecordOutcome>;
}

function rejectedFor(err: unknown): RecordOutcome {
  if (err instanceof MappingError) return { outcome: 'rejected', reason: `${err.message}${err.where ? ` (${err.where})` : ''}` };
  throw err;
}

export function createRecordIntake(deps: RecordIntakeDeps): RecordIntake {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger;

  async function publish(channelId: string, key: string, source: MessageSource, payload: InboundPayload, warnings: readonly string[]): Promise<RecordOutcome> {
    try {
      await deps.transport.publish('inbound', key, payload);
    } catch (err) {
      log.error({ channel: channelId, err: (err as Error).message }, 'could not make a GP message durable');
      return { outcome: 'unavailable', reason: 'The engine cannot accept messages at the moment (its pipeline is unavailable); please resend later.' };
    }
    log.debug({ channel: channelId, messageId: source.controlId, format: payload.format }, 'GP message accepted');
    return { outcome: 'accepted', messageId: source.controlId, warnings };
  }

  return {
    async submitBundle(channelId, raw, parsed) {
      const channel = deps.channel(channelId);
      if (channel?.records === undefined) return { outcome: 'rejected', reason: `channel ${channelId} is not configured for GP Connect bundles` };
      let warnings: readonly string[];
      try {
        warnings = channel.records.mapBundle(GP_CONNECT_STRUCTURE, parsed, channel.context).warnings;
      } catch (err) {
        return rejectedFor(err);
      }
      const key = fhirPersonKey(parsed, channel.context.organisation.odsCode);
      if (key.endsWith(':unknown')) return { outcome: 'rejected', reason: 'the bundle has no Patient with an NHS number or another identifier: add the Patient resource' };
      const meta = (parsed as { meta?: { lastUpdated?: unknown } }).meta;
      const source: MessageSource = {
        channelId,
        sender: `${channelId}|gp-connect`,
        controlId: contentHash(raw),
        messageType: GP_CONNECT_STRUCTURE,
        receivedAt: clock().toISOString(),
        ...(typeof meta?.lastUpdated === 'string' ? { eventTime: meta.lastUpdated } : {}),
      };
      return publish(channelId, key, source, { source, raw, format: 'gp-connect' }, warnings);
    },

    async submitRow(channelId, record) {
      const channel = deps.channel(channelId);
      const layout = channel?.records?.structure(record.layout);
      if (channel?.records === undefined || layout?.person === undefined) return { outcome: 'rejected', reason: `channel ${channelId} has no CSV layout ${record.layout}` };
      let warnings: readonly string[];
      try {
        warnings = channel.records.mapRow(record, channel.context).warnings;
      } catch (err) {
        return rejectedFor(err);
      }
      const key = csvPersonKey(record.values, layout.person, channel.context.organisation.odsCode);
      if (key.endsWith(':unknown')) {
        return { outcome: 'rejected', reason: `the row names no patient: give a valid ${layout.person.nhsNumber}${layout.person.localId ? ` or a ${layout.person.localId}` : ''}` };
      }
      const raw = JSON.stringify(record);
      const source: MessageSource = {
        channelId,
        sender: `${channelId}|csv|${record.layout}`,
        controlId: `${record.file}:${record.row}:${contentHash(JSON.stringify(record.values)).slice(0, 16)}`,
        messageType: record.layout,
        receivedAt: clock().toISOString(),
      };
      return publish(channelId, key, source, { source, raw, format: 'csv-row' }, warnings);
    },
  };
}
