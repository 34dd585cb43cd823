/**
 * Intake for GP feeds (GP Connect bundles, CSV rows): check that the channel's mappings can map the input
 * (a dry run of the pure mapper, so that a sender or a file report hears at once what is wrong and where —
 * mapping file:line and the rule), find who it is about, make it durable on stage `inbound` keyed by that
 * person, and only then say accepted. Never throws.
 */
import type { Logger } from 'pino';
import type { CsvRecord } from '../mapping/record-mapper.js';
import type { JunctionMetrics } from '../observability/metrics.js';
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
  /** counts received / acknowledged / failed messages per channel, as for MLLP channels (a CSV row is one message) */
  readonly metrics?: JunctionMetrics;
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
  /**
   * The rows of a CSV extract, up to `window` of them being made durable at once; rows about one patient are
   * published one after another, in the order given. After an `unavailable` outcome nothing more is published
   * (the rest are `unavailable` too), so a file tried again later keeps each patient's order. Outcomes in row order.
   */
  submitRows(channelId: string, records: readonly CsvRecord[], options?: SubmitRowsOptions): Promise<RecordOutcome[]>;
}

export interface SubmitRowsOptions {
  /** rows in flight at most (default 64) */
  readonly window?: number;
  /** called as each row's outcome is known (in completion order) */
  readonly onOutcome?: (index: number, outcome: RecordOutcome) => void;
}

/** A message ready to publish, or the outcome that stops it before that. */
type Prepared = { readonly key: string; readonly source: MessageSource; readonly payload: InboundPayload; readonly warnings: readonly string[] } | { readonly outcome: RecordOutcome };

function rejectedFor(err: unknown): RecordOutcome {
  if (err instanceof MappingError) return { outcome: 'rejected', reason: `${err.message}${err.where ? ` (${err.where})` : ''}` };
  throw err;
}

export function createRecordIntake(deps: RecordIntakeDeps): RecordIntake {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger;
  const metrics = deps.metrics;

  /** count a message's outcome as intake.ts does for MLLP: received, then acknowledged (with its time) or failed */
  function counted(channelId: string, started: number, outcome: RecordOutcome): RecordOutcome {
    if (metrics === undefined) return outcome;
    metrics.received.inc({ channel: channelId });
    if (outcome.outcome === 'accepted') {
      metrics.intakeDuration.observe({ channel: channelId }, (performance.now() - started) / 1000);
      metrics.acknowledged.inc({ channel: channelId });
      metrics.rates.inbound.in.mark();
    } else metrics.failed.inc({ channel: channelId, where: 'intake' });
    return outcome;
  }

  async function publish(channelId: string, m: Exclude<Prepared, { outcome: RecordOutcome }>): Promise<RecordOutcome> {
    try {
      await deps.transport.publish('inbound', m.key, m.payload);
    } catch (err) {
      log.error({ channel: channelId, err: (err as Error).message }, 'could not make a GP message durable');
      return { outcome: 'unavailable', reason: 'The engine cannot accept messages at the moment (its pipeline is unavailable); please resend later.' };
    }
    log.debug({ channel: channelId, messageId: m.source.controlId, format: m.payload.format }, 'GP message accepted');
    return { outcome: 'accepted', messageId: m.source.controlId, warnings: m.warnings };
  }

  function prepareBundle(channelId: string, raw: string, parsed: unknown): Prepared {
    const channel = deps.channel(channelId);
    if (channel?.records === undefined) return { outcome: { outcome: 'rejected', reason: `channel ${channelId} is not configured for GP Connect bundles` } };
    let warnings: readonly string[];
    try {
      warnings = channel.records.mapBundle(GP_CONNECT_STRUCTURE, parsed, channel.context).warnings;
    } catch (err) {
      return { outcome: rejectedFor(err) };
    }
    const key = fhirPersonKey(parsed, channel.context.organisation.odsCode);
    if (key.endsWith(':unknown')) return { outcome: { outcome: 'rejected', reason: 'the bundle has no Patient with an NHS number or another identifier: add the Patient resource' } };
    const meta = (parsed as { meta?: { lastUpdated?: unknown } }).meta;
    const source: MessageSource = {
      channelId,
      sender: `${channelId}|gp-connect`,
      controlId: contentHash(raw),
      messageType: GP_CONNECT_STRUCTURE,
      receivedAt: clock().toISOString(),
      ...(typeof meta?.lastUpdated === 'string' ? { eventTime: meta.lastUpdated } : {}),
    };
    return { key, source, payload: { source, raw, format: 'gp-connect' }, warnings };
  }

  function prepareRow(channelId: string, record: CsvRecord): Prepared {
    const channel = deps.channel(channelId);
    const layout = channel?.records?.structure(record.layout);
    if (channel?.records === undefined || layout?.person === undefined) return { outcome: { outcome: 'rejected', reason: `channel ${channelId} has no CSV layout ${record.layout}` } };
    let warnings: readonly string[];
    try {
      warnings = channel.records.mapRow(record, channel.context).warnings;
    } catch (err) {
      return { outcome: rejectedFor(err) };
    }
    const key = csvPersonKey(record.values, layout.person, channel.context.organisation.odsCode);
    if (key.endsWith(':unknown')) {
      return { outcome: { outcome: 'rejected', reason: `the row names no patient: give a valid ${layout.person.nhsNumber}${layout.person.localId ? ` or a ${layout.person.localId}` : ''}` } };
    }
    const raw = JSON.stringify(record);
    const source: MessageSource = {
      channelId,
      sender: `${channelId}|csv|${record.layout}`,
      controlId: `${record.file}:${record.row}:${contentHash(JSON.stringify(record.values)).slice(0, 16)}`,
      messageType: record.layout,
      receivedAt: clock().toISOString(),
    };
    return { key, source, payload: { source, raw, format: 'csv-row' }, warnings };
  }

  async function submitOne(channelId: string, prepare: () => Prepared): Promise<RecordOutcome> {
    const started = performance.now();
    const m = prepare();
    return counted(channelId, started, 'outcome' in m ? m.outcome : await publish(channelId, m));
  }

  return {
    submitBundle: (channelId, raw, parsed) => submitOne(channelId, () => prepareBundle(channelId, raw, parsed)),
    submitRow: (channelId, record) => submitOne(channelId, () => prepareRow(channelId, record)),

    async submitRows(channelId, records, options = {}) {
      const window = Math.max(1, options.window ?? 64);
      const out = new Array<RecordOutcome>(records.length);
      const done = (i: number, outcome: RecordOutcome): void => {
        out[i] = outcome;
        options.onOutcome?.(i, outcome);
      };
      /** per person key: the publish of its latest row, which the next row about that person waits for */
      const tails = new Map<string, Promise<void>>();
      const inFlight = new Set<Promise<void>>();
      let stopped: RecordOutcome | undefined;
      for (let i = 0; i < records.length; i++) {
        const started = performance.now();
        if (stopped !== undefined) {
          done(i, counted(channelId, started, stopped));
          continue;
        }
        const m = prepareRow(channelId, records[i] as CsvRecord);
        if ('outcome' in m) {
          done(i, counted(channelId, started, m.outcome));
          continue;
        }
        while (inFlight.size >= window) await Promise.race(inFlight);
        const before = tails.get(m.key) ?? Promise.resolve();
        const p: Promise<void> = before.then(async () => {
          const outcome = stopped ?? (await publish(channelId, m));
          if (outcome.outcome === 'unavailable') stopped ??= outcome;
          done(i, counted(channelId, started, outcome));
        });
        const tracked = p.finally(() => {
          inFlight.delete(tracked);
          if (tails.get(m.key) === p) tails.delete(m.key);
        });
        tails.set(m.key, p);
        inFlight.add(tracked);
      }
      await Promise.all(inFlight);
      return out;
    },
  };
}
