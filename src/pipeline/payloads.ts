import type { ApplyInput, MessageSource } from '../store/types.js';

/** Stage `inbound`: a raw message accepted from a channel, durable before it was acknowledged. */
export interface InboundPayload {
  readonly source: MessageSource;
  readonly raw: string;
}

/** Stage `records`: a mapped message, keyed by patient, waiting to be applied to the store as it is. */
export type RecordsPayload = ApplyInput;
