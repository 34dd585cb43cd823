export type { AckCode, Delimiters, Hl7Field, Hl7Header, Hl7Location, Hl7Message, Hl7Segment, MessageType } from './types.js';
export { Hl7ErrorCodes, Hl7ParseError, Hl7PathError, type Hl7ErrorCode } from './errors.js';
export { parseMessage } from './parse.js';
export { readHeaderLeniently, type LenientHeader } from './header.js';
export { compilePath, type Hl7Path } from './path.js';
export { DEFAULT_DELIMITERS, encodingCharacters } from './delimiters.js';
export { decodeEscapes, encodeEscapes } from './escape.js';
export { bytesToText } from './text.js';
export { MllpFramer, encodeFrame, decodePayload, MLLP_START, MLLP_END, MLLP_CR, type FramerEvent, type MllpFramerOptions } from './framer.js';
export {
  buildAck,
  ackCodeFor,
  ackModeOf,
  formatHl7Timestamp,
  type AckInput,
  type AckError,
  type AckMode,
  type AckOutcome,
} from './ack.js';
export { splitBatch } from './batch.js';
export { parseHl7DateTime, toFhirDate, toFhirDateTime, type DateTimePrecision, type FhirDateTimeValue } from './datetime.js';
