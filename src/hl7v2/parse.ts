import { readDelimiters } from './delimiters.js';
import { Hl7ErrorCodes, Hl7ParseError } from './errors.js';
import { compilePath } from './path.js';
import { delimiterCodes, LazySegment } from './segment.js';
import { internString } from './text.js';
import type { Delimiters, Hl7Header, Hl7Message, Hl7Segment } from './types.js';

export { readHeaderLeniently } from './header.js';

class LazyMessage implements Hl7Message {
  constructor(
    readonly raw: string,
    readonly delimiters: Delimiters,
    readonly segments: readonly LazySegment[],
    readonly header: Hl7Header,
  ) {}

  segment(name: string): Hl7Segment | undefined {
    for (const s of this.segments) if (s.name === name) return s;
    return undefined;
  }

  segmentsNamed(name: string): readonly Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  get(path: string): string | null | undefined {
    const p = compilePath(path);
    let remaining = p.segmentIndex;
    for (const s of this.segments) {
      if (s.name === p.segment && --remaining === 0) return s.value(p.field, p.component, p.subcomponent, p.repetition);
    }
    return undefined;
  }
}

/** Index of the first character after a byte-order mark and any leading whitespace. */
function skipLeading(text: string): number {
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0xfeff || code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a || code === 0x0b || code === 0x0c) i++;
    else break;
  }
  return i;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x20 && code !== 0xfeff) return false;
  }
  return true;
}

function isNameChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
}

function hasValidName(text: string, start: number, end: number, fieldSep: number): boolean {
  return (
    end - start >= 3 &&
    isNameChar(text.charCodeAt(start)) &&
    isNameChar(text.charCodeAt(start + 1)) &&
    isNameChar(text.charCodeAt(start + 2)) &&
    (end - start === 3 || text.charCodeAt(start + 3) === fieldSep)
  );
}

/**
 * Segment names seen before, keyed by their three character codes: every message's `PID` is then the same
 * string, whose hash is kept, so that looking segments up by name hashes nothing. Bounded (names are
 * 3 upper-case letters or digits, and only the first few thousand distinct ones are kept).
 */
const segmentNames = new Map<number, string>();

function segmentName(text: string, start: number): string {
  const key = (text.charCodeAt(start) << 16) | (text.charCodeAt(start + 1) << 8) | text.charCodeAt(start + 2);
  let name = segmentNames.get(key);
  if (name === undefined) {
    name = internString(text.slice(start, start + 3)); // the same string as the mapping files' names
    if (segmentNames.size < 4096) segmentNames.set(key, name);
  }
  return name;
}

function badSegmentName(start: string, index: number, previous: string | undefined): Hl7ParseError {
  const shown = JSON.stringify(start);
  const after = previous === undefined ? '' : ` (after ${previous})`;
  return new Hl7ParseError(
    `segment ${index}${after} starts with ${shown}, not a segment name: a segment must start with 3 upper-case ` +
      `letters or digits followed by the field separator. If a field value contains a line break, send it escaped (\\.br\\)`,
    Hl7ErrorCodes.segmentSequence,
    { segmentIndex: index },
  );
}

function secondHeader(index: number): Hl7ParseError {
  return new Hl7ParseError(
    `segment ${index} is a second MSH: send one message at a time, or wrap several in a batch (BHS … BTS)`,
    Hl7ErrorCodes.segmentSequence,
    { segment: 'MSH', segmentIndex: index },
  );
}

function readDelimitersOrThrow(text: string, start: number): Delimiters {
  const fieldSep = text[start + 3];
  if (fieldSep === undefined || fieldSep === '\r' || fieldSep === '\n') {
    throw new Hl7ParseError(
      'MSH has no field separator: the message must start with MSH followed by the delimiters, e.g. MSH|^~\\&|',
      Hl7ErrorCodes.dataType,
      { segment: 'MSH', segmentIndex: 1, field: 1 },
    );
  }
  let end = start + 4;
  while (end < text.length) {
    const ch = text[end];
    if (ch === fieldSep || ch === '\r' || ch === '\n') break;
    end++;
  }
  const result = readDelimiters(fieldSep, text.slice(start + 4, Math.min(end, start + 10)));
  if (typeof result === 'string') {
    throw new Hl7ParseError(`invalid delimiters: ${result}`, Hl7ErrorCodes.dataType, {
      segment: 'MSH',
      segmentIndex: 1,
      field: 2,
    });
  }
  return result;
}

function splitSegments(text: string, start: number, d: Delimiters): LazySegment[] {
  const segments: LazySegment[] = [];
  const codes = delimiterCodes(d);
  const len = text.length;
  let cr = text.indexOf('\r', start);
  let lf = text.indexOf('\n', start);
  let pos = start;
  while (pos < len) {
    if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
    if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
    const end = cr === -1 ? (lf === -1 ? len : lf) : lf === -1 || cr < lf ? cr : lf;
    if (end > pos && !isBlank(text, pos, end)) {
      const index = segments.length + 1;
      if (!hasValidName(text, pos, end, codes.field)) {
        throw badSegmentName(text.slice(pos, pos + 3), index, segments[segments.length - 1]?.name);
      }
      const name = segmentName(text, pos); // hasValidName checked the 3 characters
      if (name === 'MSH' && index > 1) throw secondHeader(index);
      segments.push(new LazySegment(name, index, text, pos, end, d, codes));
    }
    pos = end + 1;
  }
  return segments;
}

function text(v: string | null | undefined): string | undefined {
  return v ?? undefined;
}

function readHeader(msh: LazySegment): Hl7Header {
  const code = msh.value(9, 1);
  if (code === undefined || code === null) {
    throw new Hl7ParseError(
      'MSH-9 (message type) is empty: the sender must fill it, for example ADT^A01^ADT_A01',
      Hl7ErrorCodes.requiredFieldMissing,
      { segment: 'MSH', segmentIndex: 1, field: 9, component: 1 },
    );
  }
  const controlId = msh.value(10);
  if (controlId === undefined || controlId === null) {
    throw new Hl7ParseError(
      'MSH-10 (message control id) is empty: the sender must give every message a unique control id so it can be acknowledged',
      Hl7ErrorCodes.requiredFieldMissing,
      { segment: 'MSH', segmentIndex: 1, field: 10 },
    );
  }
  return {
    sendingApplication: text(msh.value(3)),
    sendingFacility: text(msh.value(4)),
    receivingApplication: text(msh.value(5)),
    receivingFacility: text(msh.value(6)),
    dateTime: text(msh.value(7)),
    messageType: { code, event: text(msh.value(9, 2)), structure: text(msh.value(9, 3)) },
    controlId,
    processingId: text(msh.value(11)),
    version: text(msh.value(12)),
    acceptAckType: text(msh.value(15)),
    applicationAckType: text(msh.value(16)),
  };
}

/**
 * Parse one HL7 v2 message. Segments are found up front; fields, repetitions and components are
 * split only when read. Throws Hl7ParseError (with an HL7 error code and location) when the
 * message cannot be used: empty input, no MSH first, unusable delimiters, a bad segment name,
 * or an empty MSH-9 / MSH-10.
 */
export function parseMessage(text: string): Hl7Message {
  if (typeof text !== 'string') {
    throw new Hl7ParseError('the message is not text', Hl7ErrorCodes.segmentSequence, {});
  }
  const start = skipLeading(text);
  if (start >= text.length) {
    throw new Hl7ParseError('the message is empty: expected an HL7 v2 message starting with MSH', Hl7ErrorCodes.segmentSequence, {
      segment: 'MSH',
      segmentIndex: 1,
    });
  }
  if (!text.startsWith('MSH', start)) {
    const found = JSON.stringify(text.slice(start, start + 3));
    const hint = text.startsWith('FHS', start) || text.startsWith('BHS', start) ? ' (this is a batch: split it into messages first)' : '';
    throw new Hl7ParseError(
      `the message must start with an MSH segment, but starts with ${found}${hint}`,
      Hl7ErrorCodes.segmentSequence,
      { segment: 'MSH', segmentIndex: 1 },
    );
  }
  const delimiters = readDelimitersOrThrow(text, start);
  const segments = splitSegments(text, start, delimiters);
  const msh = segments[0] as LazySegment; // the text starts with MSH, so the first segment is MSH
  return new LazyMessage(text, delimiters, segments, readHeader(msh));
}
