/**
 * Inbound messages that are not HL7 v2 (GP Connect bundles, CSV rows): how they are written on stage `inbound`,
 * who they are about (the partition key), and how a worker maps them.
 */
import { createHash } from 'node:crypto';
import type { CsvRecord, RecordMapper } from '../mapping/record-mapper.js';
import { MappingError, type ChannelContext, type MapResult } from '../mapping/types.js';
import type { InputFormat } from './payloads.js';

/** The structure every GP Connect bundle maps with (mappings/gp/gp-connect.yaml). */
export const GP_CONNECT_STRUCTURE = 'gp-connect';

/** A channel that can map inputs other than HL7 v2. */
export interface RecordChannel {
  readonly records?: RecordMapper;
  readonly context: ChannelContext;
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Map a raw inbound message of a record format. Throws MappingError when it cannot be mapped. */
export function mapRecordInput(channel: RecordChannel, format: Exclude<InputFormat, 'hl7v2'>, raw: string): MapResult {
  const records = channel.records;
  if (records === undefined) throw new MappingError(`channel ${channel.context.id} has no mappings for ${format} input`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new MappingError(`the ${format} message is not JSON: ${(err as Error).message}`);
  }
  if (format === 'gp-connect') return records.mapBundle(GP_CONNECT_STRUCTURE, parsed, channel.context);
  return records.mapRow(parsed as CsvRecord, channel.context);
}
