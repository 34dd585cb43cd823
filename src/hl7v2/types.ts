/**
 * The HL7 v2 parser contract, in HL7 terms: every position is 1-based, as the standard writes it.
 *
 * Paths: `PID-5` (field), `PID-5.1` (component), `PID-5.1.2` (subcomponent),
 * `PID-3[2].1` (second repetition of PID-3, first component), `OBX[2]-5` (second OBX segment).
 * Repetition and segment indexes are 1-based; without one, the first is meant.
 *
 * MSH counts as HL7 does: MSH-1 is the field separator itself, MSH-2 the encoding characters,
 * MSH-3 the sending application, MSH-9 the message type, MSH-10 the control id.
 *
 * Values returned by `get`/`value` are decoded (escape sequences resolved); `raw*` accessors are not.
 * An empty value is returned as `undefined`, never `''`. The HL7 null `""` is returned as `'""'` by
 * `raw` accessors and as `null` by `value` so that mappings can tell "delete" from "absent".
 */

export interface Delimiters {
  /** MSH-1, usually `|` */
  readonly field: string;
  /** MSH-2[0], usually `^` */
  readonly component: string;
  /** MSH-2[1], usually `~` */
  readonly repetition: string;
  /** MSH-2[2], usually `\` */
  readonly escape: string;
  /** MSH-2[3], usually `&` */
  readonly subcomponent: string;
  /** MSH-2[4] (v2.7+), usually `#`, or undefined */
  readonly truncation?: string;
}

/** One repetition of a field: a list of components, each a list of subcomponents. */
export interface Hl7Field {
  /** raw (still escaped) text of this repetition */
  readonly raw: string;
  /** whether the repetition is empty (raw `''`); cheaper than reading raw */
  readonly isEmpty: boolean;
  /** whether the repetition is the HL7 null (raw `""`); cheaper than reading raw */
  readonly isNull: boolean;
  /** decoded value of component `c`, subcomponent `s` (1-based; default 1,1). */
  value(component?: number, subcomponent?: number): string | null | undefined;
  /** number of components present (at least 1 when raw is non-empty, 0 when empty) */
  readonly componentCount: number;
  /** number of subcomponents in component `c` */
  subcomponentCount(component: number): number;
}

export interface Hl7Segment {
  /** three-character segment id, e.g. `PID` */
  readonly name: string;
  /** 1-based index of this segment in the message */
  readonly index: number;
  /** raw text of the whole segment */
  readonly raw: string;
  /** number of fields present (MSH counts MSH-1 and MSH-2) */
  readonly fieldCount: number;
  /** all repetitions of field `n` (1-based). Empty array when the field is empty or absent. */
  repetitions(n: number): readonly Hl7Field[];
  /** repetition `rep` (1-based, default 1) of field `n`, or undefined */
  field(n: number, rep?: number): Hl7Field | undefined;
  /** decoded value at field n, repetition rep, component c, subcomponent s (all 1-based, defaults 1) */
  value(n: number, component?: number, subcomponent?: number, rep?: number): string | null | undefined;
  /** raw (escaped) text of field n, all repetitions included */
  rawField(n: number): string | undefined;
  /** whether field n is empty or absent (rawField gives '' or undefined), without copying it */
  isFieldEmpty(n: number): boolean;
}

export interface MessageType {
  /** MSH-9.1, e.g. `ADT` */
  readonly code: string;
  /** MSH-9.2, e.g. `A01` (may be undefined in ACKs) */
  readonly event?: string;
  /** MSH-9.3, e.g. `ADT_A01` (may be undefined) */
  readonly structure?: string;
}

export interface Hl7Header {
  readonly sendingApplication?: string; // MSH-3.1
  readonly sendingFacility?: string; // MSH-4.1
  readonly receivingApplication?: string; // MSH-5.1
  readonly receivingFacility?: string; // MSH-6.1
  readonly dateTime?: string; // MSH-7.1 (raw HL7 DTM)
  readonly messageType: MessageType; // MSH-9
  readonly controlId?: string; // MSH-10
  readonly processingId?: string; // MSH-11.1
  readonly version?: string; // MSH-12.1
  readonly acceptAckType?: string; // MSH-15
  readonly applicationAckType?: string; // MSH-16
}

export interface Hl7Message {
  readonly raw: string;
  readonly delimiters: Delimiters;
  readonly header: Hl7Header;
  /** all segments in order (lazy: fields are split only when first read) */
  readonly segments: readonly Hl7Segment[];
  /** first segment with that name */
  segment(name: string): Hl7Segment | undefined;
  /** every segment with that name, in order */
  segmentsNamed(name: string): readonly Hl7Segment[];
  /** decoded value at an HL7 path such as `PID-5.1`, `PID-3[2].1`, `OBX[2]-5` */
  get(path: string): string | null | undefined;
}

/** Where a parse problem is, in HL7 terms, for ERR segments and user-facing messages. */
export interface Hl7Location {
  readonly segment?: string;
  readonly segmentIndex?: number;
  readonly field?: number;
  readonly component?: number;
}

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
