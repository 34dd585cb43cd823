import { DEFAULT_DELIMITERS, readDelimiters } from './delimiters.js';
import { delimiterCodes, LazySegment } from './segment.js';
import type { Delimiters, Hl7Header, MessageType } from './types.js';

export type LenientHeader = Partial<Hl7Header> & { delimiters?: Delimiters };

/** Start of the MSH segment: at the beginning of the text or of a line, after any BOM/whitespace. */
function findMsh(text: string): number {
  for (let at = text.indexOf('MSH'); at !== -1; at = text.indexOf('MSH', at + 1)) {
    let i = at - 1;
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\uFEFF' || text[i] === '\v')) i--;
    if (i < 0 || text[i] === '\r' || text[i] === '\n') return at;
  }
  return -1;
}

function lineAt(text: string, start: number): string {
  let end = start;
  while (end < text.length && text[end] !== '\r' && text[end] !== '\n') end++;
  return text.slice(start, end);
}

/**
 * Read what can be read of MSH from a message that failed to parse, so that an AR/AE can still
 * be addressed to its sender. Never throws; returns `{}` when no MSH can be found.
 */
export function readHeaderLeniently(text: string): LenientHeader {
  try {
    if (typeof text !== 'string') return {};
    const start = findMsh(text);
    if (start === -1) return {};
    const line = lineAt(text, start);
    const fieldSep = line[3];
    if (fieldSep === undefined) return {};
    const encodingEnd = line.indexOf(fieldSep, 4);
    const checked = readDelimiters(fieldSep, line.slice(4, encodingEnd === -1 ? line.length : encodingEnd));
    const known = typeof checked !== 'string';
    // with unusable encoding characters, still try to read fields split by the field separator
    const delimiters: Delimiters = known ? checked : { ...DEFAULT_DELIMITERS, field: fieldSep };
    const msh = new LazySegment('MSH', 1, line, 0, line.length, delimiters, delimiterCodes(delimiters));
    const read = (n: number, c = 1): string | undefined => {
      try {
        return known ? (msh.value(n, c) ?? undefined) : (msh.rawField(n)?.split(DEFAULT_DELIMITERS.component)[c - 1] || undefined);
      } catch {
        return undefined;
      }
    };
    const header: { -readonly [K in keyof LenientHeader]: LenientHeader[K] } = {};
    const set = <K extends keyof Hl7Header>(key: K, value: Hl7Header[K] | undefined): void => {
      if (value !== undefined) header[key] = value;
    };
    set('sendingApplication', read(3));
    set('sendingFacility', read(4));
    set('receivingApplication', read(5));
    set('receivingFacility', read(6));
    set('dateTime', read(7));
    const code = read(9, 1);
    if (code !== undefined) {
      const messageType: MessageType = { code, event: read(9, 2), structure: read(9, 3) };
      header.messageType = messageType;
    }
    set('controlId', read(10));
    set('processingId', read(11));
    set('version', read(12));
    set('acceptAckType', read(15));
    set('applicationAckType', read(16));
    if (known) header.delimiters = checked;
    return header;
  } catch {
    return {};
  }
}
