import { Hl7PathError } from './errors.js';

/** A parsed HL7 path; every number is 1-based. */
export interface Hl7Path {
  readonly segment: string;
  /** which segment of that name (1 = first) */
  readonly segmentIndex: number;
  readonly field: number;
  readonly repetition: number;
  readonly component: number;
  readonly subcomponent: number;
}

const MAX_CACHED_PATHS = 10_000;
const cache = new Map<string, Hl7Path>();

/** Parse a path such as `PID-5.1`, `PID-3[2].1`, `OBX[2]-5.3.1`. Cached; throws Hl7PathError when malformed. */
export function compilePath(path: string): Hl7Path {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const compiled = parsePath(path);
  if (cache.size >= MAX_CACHED_PATHS) cache.clear();
  cache.set(path, compiled);
  return compiled;
}

function isNameChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
}

function parsePath(path: string): Hl7Path {
  let pos = 0;

  const readNumber = (what: string): number => {
    const start = pos;
    while (pos < path.length && path.charCodeAt(pos) >= 48 && path.charCodeAt(pos) <= 57) pos++;
    if (pos === start) throw new Hl7PathError(path, `expected a ${what} number at position ${start + 1}`);
    const n = Number(path.slice(start, pos));
    if (n < 1 || n > 100_000) throw new Hl7PathError(path, `${what} ${n} is out of range (numbers start at 1)`);
    return n;
  };
  const readIndex = (what: string): number => {
    if (path[pos] !== '[') return 1;
    pos++;
    const n = readNumber(what);
    if (path[pos] !== ']') throw new Hl7PathError(path, `expected ']' after the ${what} index`);
    pos++;
    return n;
  };

  if (path.length < 5 || !isNameChar(path.charCodeAt(0)) || !isNameChar(path.charCodeAt(1)) || !isNameChar(path.charCodeAt(2))) {
    throw new Hl7PathError(path, 'it must start with a 3-character upper-case segment name');
  }
  const segment = path.slice(0, 3);
  pos = 3;
  const segmentIndex = readIndex('segment');
  if (path[pos] !== '-') throw new Hl7PathError(path, `expected '-' and a field number after ${segment}`);
  pos++;
  const field = readNumber('field');
  const repetition = readIndex('repetition');
  let component = 1;
  let subcomponent = 1;
  if (path[pos] === '.') {
    pos++;
    component = readNumber('component');
    if (path[pos] === '.') {
      pos++;
      subcomponent = readNumber('subcomponent');
    }
  }
  if (pos !== path.length) throw new Hl7PathError(path, `unexpected ${JSON.stringify(path.slice(pos))} at the end`);
  return { segment, segmentIndex, field, repetition, component, subcomponent };
}
