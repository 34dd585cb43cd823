import { decodeEscapes } from './escape.js';
import type { Delimiters, Hl7Field, Hl7Segment } from './types.js';

/** The HL7 null: "delete this value" at the receiver. */
export const HL7_NULL = '""';

/** Delimiters as character codes, computed once per message for the scanning loops. */
export interface DelimiterCodes {
  readonly field: number;
  readonly component: number;
  readonly repetition: number;
  readonly subcomponent: number;
  readonly escape: number;
}

export function delimiterCodes(d: Delimiters): DelimiterCodes {
  return {
    field: d.field.charCodeAt(0),
    component: d.component.charCodeAt(0),
    repetition: d.repetition.charCodeAt(0),
    subcomponent: d.subcomponent.charCodeAt(0),
    escape: d.escape.charCodeAt(0),
  };
}

function isNullAt(text: string, start: number, end: number): boolean {
  return end - start === 2 && text.charCodeAt(start) === 34 && text.charCodeAt(start + 1) === 34;
}

/**
 * Decoded value of repetition `rep`, component `c`, subcomponent `s` of the field text[start, end).
 * One pass that stops at the end of the wanted piece; nothing is allocated but the result.
 * `""` at any level makes everything below it null; an empty value is undefined.
 */
export function valueIn(
  text: string,
  start: number,
  end: number,
  rep: number,
  c: number,
  s: number,
  codes: DelimiterCodes,
  d: Delimiters,
): string | null | undefined {
  if (start >= end || rep < 1 || c < 1 || s < 1) return undefined;
  const R = codes.repetition;
  const C = codes.component;
  const S = codes.subcomponent;
  let i = start;
  let ch = 0;
  for (let k = 1; k < rep; k++) {
    while (i < end && text.charCodeAt(i) !== R) i++;
    if (i >= end) return undefined;
    i++;
  }
  const repStart = i;
  for (let k = 1; k < c; k++) {
    while (i < end && (ch = text.charCodeAt(i)) !== C && ch !== R) i++;
    if (i >= end || ch === R) return isNullAt(text, repStart, i) ? null : undefined;
    i++;
  }
  const compStart = i;
  for (let k = 1; k < s; k++) {
    while (i < end && (ch = text.charCodeAt(i)) !== S && ch !== C && ch !== R) i++;
    if (i >= end || ch !== S) return isNullAt(text, repStart, i) || isNullAt(text, compStart, i) ? null : undefined;
    i++;
  }
  const subStart = i;
  const E = codes.escape;
  let escaped = false; // noted while scanning, so plain text needs no second pass
  while (i < end && (ch = text.charCodeAt(i)) !== S && ch !== C && ch !== R) {
    if (ch === E) escaped = true;
    i++;
  }
  if (i === subStart) return undefined;
  if (isNullAt(text, subStart, i)) return null;
  const v = text.slice(subStart, i);
  return escaped ? decodeEscapes(v, d) : v;
}

/**
 * Where scans gather the positions they find, to copy them out at their exact number: a list grown by push
 * keeps room for 16 more, for every segment and field read. One scan uses it at a time (scans call nothing).
 */
const scratch: number[] = [];

/**
 * Decoded first subcomponent of the component text[start, end) (what valueIn gives for subcomponent 1 of a
 * range holding one component): one scan to the first subcomponent separator.
 */
function firstSubcomponent(text: string, start: number, end: number, codes: DelimiterCodes, d: Delimiters): string | null | undefined {
  const S = codes.subcomponent;
  const E = codes.escape;
  let escaped = false;
  let i = start;
  for (; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === S) break;
    if (ch === E) escaped = true;
  }
  if (i === start) return undefined;
  if (isNullAt(text, start, i)) return null;
  const v = text.slice(start, i);
  return escaped ? decodeEscapes(v, d) : v;
}

function countPieces(text: string, start: number, end: number, sep: number): number {
  if (start >= end) return 0;
  let count = 1;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === sep) count++;
  return count;
}

/**
 * One repetition of a field: the span text[start, end) of the message. Its raw text is sliced only when
 * asked for; the component boundaries are found on the first component read and kept, so that reading
 * several components of one repetition (as datatype templates do) scans it once, and the values read
 * are kept too.
 */
class LazyField implements Hl7Field {
  private rawText: string | undefined;
  /** absolute end position of each component (found on first read) */
  private componentEnds: number[] | undefined;
  /** decoded first subcomponent of each component read so far (templates read some components several times) */
  private firstSubcomponents: string[] | undefined;

  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly codes: DelimiterCodes,
    private readonly d: Delimiters,
  ) {}

  get raw(): string {
    return (this.rawText ??= this.text.slice(this.start, this.end));
  }

  get isEmpty(): boolean {
    return this.start >= this.end;
  }

  get isNull(): boolean {
    return isNullAt(this.text, this.start, this.end);
  }

  private components(): number[] {
    if (this.componentEnds !== undefined) return this.componentEnds;
    const { text, end } = this;
    const sep = this.codes.component;
    let n = 0;
    for (let i = this.start; i < end; i++) if (text.charCodeAt(i) === sep) scratch[n++] = i;
    scratch[n++] = end;
    const ends = scratch.slice(0, n);
    this.componentEnds = ends;
    return ends;
  }

  /** start of component `c` (1-based, within range) */
  private componentStart(c: number, ends: readonly number[]): number {
    return c === 1 ? this.start : (ends[c - 2] as number) + 1;
  }

  value(component = 1, subcomponent = 1): string | null | undefined {
    if (subcomponent === 1) {
      // a value kept is a string: the repetition is not the HL7 null, and the component is there
      const known = this.firstSubcomponents?.[component];
      if (known !== undefined) return known;
    }
    const { text, start, end } = this;
    if (isNullAt(text, start, end)) return null;
    if (start >= end || component < 1 || subcomponent < 1) return undefined;
    const ends = this.components();
    if (component > ends.length) return undefined;
    const from = this.componentStart(component, ends);
    const to = ends[component - 1] as number;
    if (subcomponent !== 1) return valueIn(text, from, to, 1, 1, subcomponent, this.codes, this.d);
    const v = firstSubcomponent(text, from, to, this.codes, this.d);
    if (typeof v === 'string') (this.firstSubcomponents ??= new Array<string>(ends.length + 1))[component] = v;
    return v;
  }

  get componentCount(): number {
    return this.start >= this.end ? 0 : this.components().length;
  }

  subcomponentCount(component: number): number {
    if (this.start >= this.end || component < 1) return 0;
    const ends = this.components();
    if (component > ends.length) return 0;
    return countPieces(this.text, this.componentStart(component, ends), ends[component - 1] as number, this.codes.subcomponent);
  }
}

/** MSH-1 and MSH-2 hold delimiters themselves: never split, never decoded. */
class LiteralField implements Hl7Field {
  constructor(readonly raw: string) {}

  get isEmpty(): boolean {
    return this.raw === '';
  }

  get isNull(): boolean {
    return this.raw === HL7_NULL;
  }

  value(component = 1, subcomponent = 1): string | undefined {
    return component === 1 && subcomponent === 1 && this.raw !== '' ? this.raw : undefined;
  }

  get componentCount(): number {
    return this.raw === '' ? 0 : 1;
  }

  subcomponentCount(component: number): number {
    return component === 1 && this.raw !== '' ? 1 : 0;
  }
}

const NO_REPETITIONS: readonly Hl7Field[] = Object.freeze([]);

/**
 * One segment: a span of the message text. The positions of its field separators are found the
 * first time a field is read; values are read straight from the message text.
 */
export class LazySegment implements Hl7Segment {
  /** absolute positions of the field separators in `text` (found on first read) */
  private separators: number[] | undefined;
  private repetitionCache: (readonly Hl7Field[] | undefined)[] | undefined;
  private rawText: string | undefined;
  /** MSH-1 is the separator itself, so MSH-n is the (n-1)th piece: field numbers are shifted by one */
  private readonly shift: number;

  constructor(
    readonly name: string,
    readonly index: number,
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly d: Delimiters,
    private readonly codes: DelimiterCodes,
  ) {
    this.shift = name === 'MSH' ? 1 : 0;
  }

  get raw(): string {
    return (this.rawText ??= this.text.slice(this.start, this.end));
  }

  private positions(): number[] {
    if (this.separators !== undefined) return this.separators;
    const { text, end } = this;
    const sep = this.d.field;
    let n = 0;
    for (let at = text.indexOf(sep, this.start); at !== -1 && at < end; at = text.indexOf(sep, at + 1)) scratch[n++] = at;
    const found = scratch.slice(0, n);
    this.separators = found;
    return found;
  }

  get fieldCount(): number {
    return this.positions().length + this.shift;
  }

  rawField(n: number): string | undefined {
    if (n < 1) return undefined;
    if (this.shift === 1 && n === 1) return this.d.field;
    const seps = this.positions();
    const k = n - 1 - this.shift; // index of the separator that opens field n
    const open = seps[k];
    if (open === undefined) return undefined;
    return this.text.slice(open + 1, seps[k + 1] ?? this.end);
  }

  isFieldEmpty(n: number): boolean {
    if (n < 1) return true;
    if (this.shift === 1 && n === 1) return false;
    const seps = this.positions();
    const k = n - 1 - this.shift;
    const open = seps[k];
    if (open === undefined) return true;
    return (seps[k + 1] ?? this.end) <= open + 1;
  }

  private isLiteral(n: number): boolean {
    return n <= 2 && this.shift === 1;
  }

  repetitions(n: number): readonly Hl7Field[] {
    const cached = this.repetitionCache?.[n];
    if (cached !== undefined) return cached;
    if (n < 1) return NO_REPETITIONS;
    const reps = this.isLiteral(n) ? this.literalRepetitions(n) : this.splitRepetitions(n);
    const cache = (this.repetitionCache ??= new Array<readonly Hl7Field[] | undefined>(this.fieldCount + 1));
    if (n < cache.length) cache[n] = reps; // fields past the last are absent: nothing to keep
    return reps;
  }

  private literalRepetitions(n: number): readonly Hl7Field[] {
    const raw = this.rawField(n);
    return raw === undefined || raw === '' ? NO_REPETITIONS : [new LiteralField(raw)];
  }

  /** the repetitions of field n, read from the message text without copying it */
  private splitRepetitions(n: number): readonly Hl7Field[] {
    const seps = this.positions();
    const k = n - 1 - this.shift;
    const open = seps[k];
    if (open === undefined) return NO_REPETITIONS;
    const end = seps[k + 1] ?? this.end;
    if (open + 1 >= end) return NO_REPETITIONS;
    const { text, codes, d } = this;
    const sep = codes.repetition;
    let count = 0;
    for (let i = open + 1; i < end; i++) if (text.charCodeAt(i) === sep) scratch[count++] = i;
    scratch[count++] = end;
    const reps = new Array<LazyField>(count);
    let from = open + 1;
    for (let r = 0; r < count; r++) {
      const to = scratch[r] as number;
      reps[r] = new LazyField(text, from, to, codes, d);
      from = to + 1;
    }
    return reps;
  }

  field(n: number, rep = 1): Hl7Field | undefined {
    return this.repetitions(n)[rep - 1];
  }

  value(n: number, component = 1, subcomponent = 1, rep = 1): string | null | undefined {
    if (n < 1) return undefined;
    if (this.isLiteral(n)) return component === 1 && subcomponent === 1 && rep === 1 ? this.rawField(n) || undefined : undefined;
    const seps = this.positions();
    const k = n - 1 - this.shift;
    const open = seps[k];
    if (open === undefined) return undefined;
    return valueIn(this.text, open + 1, seps[k + 1] ?? this.end, rep, component, subcomponent, this.codes, this.d);
  }
}
