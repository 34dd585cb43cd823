import type { Bundle } from '@medplum/fhirtypes';
import type { LabelAssignment, PreserveRule, UnmappedItem } from '../mapping/types.js';
import type { MessageSource } from '../store/types.js';

/** Stage `inbound`: a raw message accepted from a channel, durable before it was acknowledged. */
export interface InboundPayload {
  readonly source: MessageSource;
  readonly raw: string;
}

/** Stage `records`: a mapped message, keyed by patient, waiting to be applied to the store. */
export interface RecordsPayload {
  readonly source: MessageSource;
  readonly raw: string;
  readonly bundle: Bundle;
  readonly preserve: readonly PreserveRule[];
  readonly labels: readonly LabelAssignment[];
  readonly unmapped: readonly UnmappedItem[];
  readonly warnings: readonly string[];
}
