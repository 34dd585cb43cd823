import type { MapResult } from '../mapping/types.js';
import type { ApplyInput, MessageSource } from '../store/types.js';

/**
 * What an inbound message is: HL7 v2 text (the default), a GP Connect bundle (FHIR STU3 JSON), or one row of a
 * CSV extract (JSON: layout, file, row, values — see record-input.ts).
 */
export type InputFormat = 'hl7v2' | 'gp-connect' | 'csv-row';

/** Stage `inbound`: a raw message accepted from a channel, durable before it was acknowledged. */
export interface InboundPayload {
  readonly source: MessageSource;
  readonly raw: string;
  /** absent: hl7v2 */
  readonly format?: InputFormat;
}

/** Stage `records`: a mapped message, keyed by patient, waiting to be applied to the store as it is. */
export type RecordsPayload = ApplyInput;

/** What the store applies for one mapped message: its source, the raw text, and the mapper's result. */
export function recordsPayload(source: MessageSource, raw: string, result: MapResult): RecordsPayload {
  return {
    source,
    raw,
    bundle: result.bundle,
    preserve: result.preserve,
    labels: result.labels,
    unmapped: result.unmapped,
    warnings: result.warnings,
  };
}
