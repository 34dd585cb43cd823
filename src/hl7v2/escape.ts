import { bytesToText } from './text.js';
import type { Delimiters } from './types.js';

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function allHex(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (!isHexDigit(s.charCodeAt(i))) return false;
  return true;
}

function decodeHex(hex: string): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !allHex(hex, 0)) return undefined;
  return bytesToText(Buffer.from(hex, 'hex'));
}

/**
 * Meaning of one escape sequence (the text between the escape characters).
 * Returns the replacement text, `''` for a recognised formatting sequence that is dropped,
 * or undefined when the sequence is not an HL7 escape (the caller keeps it literally).
 */
function translate(seq: string, d: Delimiters): string | undefined {
  if (seq.length === 1) {
    switch (seq) {
      case 'F':
        return d.field;
      case 'S':
        return d.component;
      case 'T':
        return d.subcomponent;
      case 'R':
        return d.repetition;
      case 'E':
        return d.escape;
      case 'P':
        return d.truncation;
      case 'H': // start highlighting
      case 'N': // normal text
        return '';
      default:
        return undefined;
    }
  }
  const first = seq.charCodeAt(0);
  if (first === 0x58 /* X */) return decodeHex(seq.slice(1)) ?? '';
  if (first === 0x5a /* Z */) return ''; // locally defined escape: not understood, dropped
  if ((first === 0x43 /* C */ || first === 0x4d) /* M */ && allHex(seq, 1)) return ''; // character set switches
  if (first === 0x2e /* . */) {
    // formatted-text commands (FT): line breaks become \n, other layout commands are dropped
    const cmd = seq.slice(1, 3);
    if (cmd === 'br') return '\n';
    if (cmd === 'sp') {
      const count = Number.parseInt(seq.slice(3).trim() || '1', 10);
      return '\n'.repeat(Number.isFinite(count) && count > 0 && count < 100 ? count : 1);
    }
    if (cmd === 'in' || cmd === 'ti' || cmd === 'sk' || cmd === 'ce' || cmd === 'fi' || cmd === 'nf') return '';
  }
  return undefined;
}

/**
 * Resolve HL7 escape sequences: \F\ \S\ \T\ \R\ \E\ (\P\ for the v2.7 truncation character),
 * \Xhh..\ (hex bytes, read as UTF-8, else latin1), \.br\ → newline. Formatting sequences
 * (\H\, \N\, \Zxx\, \Cxxxx\, \Mxxxxxx\, \.in\ …) are dropped. Anything else between two escape
 * characters, and an unterminated escape, is kept literally.
 */
export function decodeEscapes(text: string, delimiters: Delimiters): string {
  const esc = delimiters.escape;
  let open = text.indexOf(esc);
  if (open === -1) return text;
  let out = '';
  let copiedTo = 0;
  while (open !== -1) {
    const close = text.indexOf(esc, open + 1);
    if (close === -1) break; // unterminated: the rest is kept as it is
    const replacement = translate(text.slice(open + 1, close), delimiters);
    if (replacement === undefined) {
      // not an escape sequence: keep the escape character, and let the closing one start a new sequence
      open = close;
      continue;
    }
    out += text.slice(copiedTo, open) + replacement;
    copiedTo = close + 1;
    open = text.indexOf(esc, copiedTo);
  }
  return out + text.slice(copiedTo);
}

function usesDot(d: Delimiters): boolean {
  return (
    d.field === '.' || d.component === '.' || d.repetition === '.' || d.escape === '.' || d.subcomponent === '.' || d.truncation === '.'
  );
}

/**
 * Escape text for an HL7 field: the delimiters become \F\ \S\ \T\ \R\ \E\ (\P\), a line feed
 * becomes \.br\ and a carriage return \X0D\ (a raw CR would end the segment). Text that is exactly
 * `""` is sent as \X2222\ so that it is not read as the HL7 null.
 * `decodeEscapes(encodeEscapes(x)) === x` for every string.
 */
export function encodeEscapes(text: string, delimiters: Delimiters): string {
  const d = delimiters;
  // text that is exactly "" would be read as the HL7 null: send the quotes as hex instead
  if (text === '""') return `${d.escape}X2222${d.escape}`;
  // `\.br\` is the usual line break, but it cannot be used when `.` is itself a delimiter
  const lineFeed = usesDot(d) ? 'X0A' : '.br';
  let out = '';
  let copiedTo = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    let rep: string | undefined;
    if (ch === d.escape) rep = 'E';
    else if (ch === d.field) rep = 'F';
    else if (ch === d.component) rep = 'S';
    else if (ch === d.subcomponent) rep = 'T';
    else if (ch === d.repetition) rep = 'R';
    else if (d.truncation !== undefined && ch === d.truncation) rep = 'P';
    else if (ch === '\n') rep = lineFeed;
    else if (ch === '\r') rep = 'X0D';
    if (rep === undefined) continue;
    out += text.slice(copiedTo, i) + d.escape + rep + d.escape;
    copiedTo = i + 1;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}
