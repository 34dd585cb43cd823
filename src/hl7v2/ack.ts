import { DEFAULT_DELIMITERS, encodingCharacters } from './delimiters.js';
import { encodeEscapes } from './escape.js';
import type { LenientHeader } from './header.js';
import type { AckCode, Delimiters, Hl7Header, Hl7Location, Hl7Message } from './types.js';

/** HL7 table 0357 descriptions, for ERR-3.2 */
const ERROR_TEXT: Readonly<Record<string, string>> = {
  '0': 'Message accepted',
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
};

export interface AckError {
  readonly location?: Hl7Location;
  /** HL7 table 0357 code; default 207 (application internal error) */
  readonly hl7ErrorCode?: string;
  /** default E */
  readonly severity?: 'E' | 'W' | 'I';
  /** what is wrong and how to fix it (ERR-8) */
  readonly message: string;
}

export interface AckInput {
  /** the message being answered, when it parsed */
  readonly original?: Hl7Message;
  /** what could be read of its MSH when it did not (see readHeaderLeniently) */
  readonly header?: LenientHeader;
  readonly code: AckCode;
  /** MSA-3 */
  readonly text?: string;
  readonly error?: AckError;
  /** MSH-10 of the ACK itself */
  readonly controlId: string;
  readonly now: Date;
}

export type AckMode = 'original' | 'enhanced';
export type AckOutcome = 'accept' | 'error' | 'reject';

/** AA/AE/AR in original mode; CA/CE/CR in enhanced mode (the sender filled MSH-15). */
export function ackCodeFor(mode: AckMode, outcome: AckOutcome): AckCode {
  const suffix = outcome === 'accept' ? 'A' : outcome === 'error' ? 'E' : 'R';
  return `${mode === 'original' ? 'A' : 'C'}${suffix}` as AckCode;
}

/** Enhanced acknowledgement mode applies when the sender filled MSH-15 (accept acknowledgement type). */
export function ackModeOf(header: Partial<Hl7Header> | undefined): AckMode {
  return header?.acceptAckType !== undefined && header.acceptAckType !== '' ? 'enhanced' : 'original';
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** HL7 DTM in UTC with an explicit offset: YYYYMMDDHHMMSS+0000 */
export function formatHl7Timestamp(date: Date): string {
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    '+0000'
  );
}

/** Drop empty trailing components so `PID^1^^^` becomes `PID^1`. */
function joinTrimmed(parts: readonly string[], sep: string): string {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end).join(sep);
}

function buildErr(error: AckError, d: Delimiters): string {
  const esc = (t: string | undefined): string => (t === undefined ? '' : encodeEscapes(t, d));
  const num = (n: number | undefined): string => (n === undefined ? '' : String(n));
  const code = error.hl7ErrorCode ?? '207';
  const codeText = ERROR_TEXT[code] ?? 'Application error';
  const loc = error.location ?? {};
  // ERR-1 (v2.3/2.4): segment^sequence^field^code&text&HL70357
  const err1 = joinTrimmed(
    [esc(loc.segment), num(loc.segmentIndex), num(loc.field), [esc(code), esc(codeText), 'HL70357'].join(d.subcomponent)],
    d.component,
  );
  // ERR-2 (v2.5+): segment^sequence^field^field repetition^component
  const err2 = joinTrimmed([esc(loc.segment), num(loc.segmentIndex), num(loc.field), '', num(loc.component)], d.component);
  const err3 = [esc(code), esc(codeText), 'HL70357'].join(d.component);
  const fields = ['ERR', err1, err2, err3, error.severity ?? 'E', '', '', '', esc(error.message)];
  return fields.join(d.field);
}

/**
 * Build an ACK for a message (or for what could be read of one). Segments are separated by CR.
 * MSH-3/4 are the original MSH-5/6 and MSH-5/6 the original MSH-3/4, copied whole.
 */
export function buildAck(input: AckInput): string {
  const { original, header } = input;
  const d = original?.delimiters ?? header?.delimiters ?? DEFAULT_DELIMITERS;
  const msh = original?.segments[0];
  const esc = (t: string | undefined): string => (t === undefined ? '' : encodeEscapes(t, d));
  /** the original's field copied raw when the message parsed; else the leniently read value, escaped */
  const copy = (n: number, lenient: string | undefined): string => msh?.rawField(n) ?? esc(lenient);
  const event = original?.header.messageType.event ?? header?.messageType?.event;

  const processingId = copy(11, header?.processingId);
  const version = copy(12, header?.version);
  const mshFields = [
    'MSH',
    encodingCharacters(d),
    copy(5, header?.receivingApplication),
    copy(6, header?.receivingFacility),
    copy(3, header?.sendingApplication),
    copy(4, header?.sendingFacility),
    formatHl7Timestamp(input.now),
    '',
    ['ACK', esc(event), 'ACK'].join(d.component),
    esc(input.controlId),
    processingId === '' ? 'P' : processingId,
    version === '' ? '2.4' : version,
  ];
  const msa = ['MSA', input.code, copy(10, header?.controlId)];
  if (input.text !== undefined && input.text !== '') msa.push(esc(input.text));

  const segments = [mshFields.join(d.field), msa.join(d.field)];
  if (input.error !== undefined) segments.push(buildErr(input.error, d));
  return segments.join('\r');
}
