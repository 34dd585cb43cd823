/**
 * Paths as written in mapping files. Absolute: `PID-5`, `PID-5.1`, `PID-3[2].4.1`, `OBX[2]-5`.
 * Relative (inside a datatype template, from the field or component being mapped): `.1`, `.1.2`.
 * A bare segment name (`NK1`) is allowed where a loop goes over repeating segments.
 */
import { internString } from '../hl7v2/text.js';

export interface AbsolutePath {
  readonly kind: 'absolute';
  readonly text: string;
  readonly segment: string;
  /** which segment of that name (1-based); undefined = the current one when its name matches, else the first */
  readonly segmentIndex?: number;
  readonly field: number;
  /** 1-based repetition; undefined = the first (or every one, in a loop) */
  readonly repetition?: number;
  readonly component?: number;
  readonly subcomponent?: number;
}

export interface RelativePath {
  readonly kind: 'relative';
  readonly text: string;
  readonly component: number;
  readonly subcomponent?: number;
}

export interface SegmentPath {
  readonly kind: 'segment';
  readonly text: string;
  readonly segment: string;
}

export type MappingPath = AbsolutePath | RelativePath | SegmentPath;

const ABSOLUTE = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?-(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?$/;
const RELATIVE = /^\.(\d+)(?:\.(\d+))?$/;
const SEGMENT = /^[A-Z][A-Z0-9]{2}$/;

export const PATH_HELP =
  'write SEG-field[.component[.subcomponent]] such as PID-5 or PV1-3.1 (PID-3[2] for a repetition), ' +
  'or .component[.subcomponent] such as .1 or .4.1 inside a datatype template';

function num(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

/** Parse a mapping path; returns an error text (what is wrong) instead of throwing. */
export function parseMappingPath(text: string, allowSegment = false): MappingPath | string {
  if (allowSegment && SEGMENT.test(text)) return { kind: 'segment', text, segment: internString(text) };
  const abs = ABSOLUTE.exec(text);
  if (abs !== null) {
    const [, segment, segIndex, field, rep, comp, sub] = abs;
    const numbers = [segIndex, field, rep, comp, sub].map(num);
    if (numbers.some((n) => n === 0)) return `path ${JSON.stringify(text)} has a 0: HL7 positions start at 1`;
    return {
      kind: 'absolute',
      text,
      segment: internString(segment as string), // one string per name: compared with the parser's by identity
      segmentIndex: numbers[0],
      field: numbers[1] as number,
      repetition: numbers[2],
      component: numbers[3],
      subcomponent: numbers[4],
    };
  }
  const rel = RELATIVE.exec(text);
  if (rel !== null) {
    const component = Number(rel[1]);
    const subcomponent = num(rel[2]);
    if (component === 0 || subcomponent === 0) return `path ${JSON.stringify(text)} has a 0: HL7 positions start at 1`;
    return { kind: 'relative', text, component, subcomponent };
  }
  return `${JSON.stringify(text)} is not a valid path`;
}
