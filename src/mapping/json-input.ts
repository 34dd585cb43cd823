/**
 * The reader for JSON records: a FHIR resource (`input: fhir`, e.g. GP Connect STU3) or a CSV row (`input: csv`,
 * a row is an object of column → text). Paths are element names joined by dots, with an optional index:
 *
 *   name[0].family     from the record (the resource or row the entry made the resource from)
 *   .system            relative: from the value the rule is looking at (inside each:, or a template used with from:)
 *
 * Like FHIRPath, a step over a list goes over every item (`code.coding.code` is every code; `from:` takes the
 * first). There are no expressions: `where(system = …)` is written `each: identifier` with
 * `when: { path: .system, equals: … }`. Values are read as JSON, trimmed, empty values left out; objects are
 * copied whole (only where STU3 and R4 agree on the datatype).
 */
import type { Focus, InputReader, Iterate, ReadText, ReaderEnv, Test } from './input-reader.js';
import type { One } from './rule.js';
import { Cursor, Run, type Json, type JsonObject, type Vars } from './runtime.js';
import type { Hl7Message } from '../hl7v2/types.js';
import { where, type Loc } from './yaml-source.js';

/** A place in a JSON record: the record (for paths from the record) and the value a rule is looking at. */
export class JsonCursor extends Cursor {
  constructor(
    readonly record: JsonObject,
    readonly node: unknown,
    /** the record, for warnings: `Condition/abc`, `problems.csv:12` */
    readonly origin: string,
    /** where in it: `Condition/abc.code.coding[1]` */
    readonly place: string,
    vars: Vars,
  ) {
    super(undefined, 0, 0, undefined, 0, 0, vars);
  }

  override withVars(vars: Vars): Cursor {
    return new JsonCursor(this.record, this.node, this.origin, this.place, vars);
  }

  override describeSelf(): string {
    return this.place;
  }

  override describePath(path: string): string {
    return `${this.origin}.${path}`;
  }
}

const NO_SEGMENTS = { segments: [] } as unknown as Hl7Message;

/** One mapping run over JSON records: references between the input's records resolve to the resources mapped from them. */
export class JsonRun extends Run {
  /** `Patient/1`, `urn:uuid:…` (as the input writes them) → `Type/id` of the resource mapped from that record */
  readonly sourceRefs = new Map<string, string>();

  constructor() {
    super(NO_SEGMENTS);
  }

  override resolveReference(text: string): string | undefined {
    return this.sourceRefs.get(text);
  }
}

interface Step {
  readonly name: string;
  readonly index?: number;
}

export interface JsonPath {
  readonly text: string;
  readonly relative: boolean;
  readonly steps: readonly Step[];
}

const PATH = /^\.?[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?)*$/;
const STEP = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$/;

export const JSON_PATH_HELP =
  'write element names joined by dots, with [n] for one item of a list (0-based): name[0].family, code.coding; ' +
  'start with a dot for a path from the value the rule is looking at (.system inside each: identifier)';

export function parseJsonPath(text: string): JsonPath | string {
  if (!PATH.test(text)) return `${JSON.stringify(text)} is not a valid path`;
  const relative = text.startsWith('.');
  const steps = (relative ? text.slice(1) : text).split('.').map((part): Step => {
    const m = STEP.exec(part) as RegExpExecArray;
    return m[2] === undefined ? { name: m[1] as string } : { name: m[1] as string, index: Number(m[2]) };
  });
  return { text, relative, steps };
}

/** Every value at `steps` from `node` (lists flattened); with `one`, stops at the first. */
function walk(node: unknown, steps: readonly Step[], i: number, out: unknown[], one: boolean): boolean {
  if (node === undefined || node === null) return false;
  if (Array.isArray(node)) {
    for (const item of node) if (walk(item, steps, i, out, one)) return true;
    return false;
  }
  if (i === steps.length) {
    out.push(node);
    return one;
  }
  if (typeof node !== 'object') return false;
  const step = steps[i] as Step;
  let child = (node as Record<string, unknown>)[step.name];
  if (step.index !== undefined) child = Array.isArray(child) ? child[step.index] : step.index === 0 ? child : undefined;
  return walk(child, steps, i + 1, out, one);
}

/** A JSON value trimmed, with empty strings, lists and objects (and null) left out; undefined when nothing is left. */
export function cleanJson(v: unknown): Json | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const item of v) {
      const c = cleanJson(item);
      if (c !== undefined) out.push(c);
    }
    return out.length > 0 ? out : undefined;
  }
  if (typeof v === 'object') {
    const out: JsonObject = {};
    let any = false;
    for (const [k, item] of Object.entries(v)) {
      const c = cleanJson(item);
      if (c !== undefined) {
        out[k] = c;
        any = true;
      }
    }
    return any ? out : undefined;
  }
  return undefined;
}

function startOf(p: JsonPath, cur: Cursor): unknown {
  const c = cur as JsonCursor;
  return p.relative ? c.node : c.record;
}

function valuesAt(p: JsonPath, cur: Cursor): unknown[] {
  const out: unknown[] = [];
  walk(startOf(p, cur), p.steps, 0, out, false);
  return out;
}

function firstValue(p: JsonPath, cur: Cursor): Json | undefined {
  const out: unknown[] = [];
  walk(startOf(p, cur), p.steps, 0, out, false);
  for (const v of out) {
    const c = cleanJson(v);
    if (c !== undefined) return c;
  }
  return undefined;
}

function asText(v: Json | undefined): string | undefined {
  return v === undefined || typeof v === 'object' ? undefined : String(v);
}

function placeOf(cur: Cursor, p: JsonPath, index?: number): string {
  const base = p.relative ? (cur as JsonCursor).place : (cur as JsonCursor).origin;
  const text = p.relative ? p.text : `.${p.text}`;
  return index === undefined ? `${base}${text}` : `${base}${text}[${index}]`;
}

/** What a reader for JSON records checks beyond the path syntax (CSV: the path is a declared column). */
export interface JsonReaderOptions {
  readonly kind: string;
  /** a problem with this path (what, how to fix), or undefined when it is fine */
  readonly check?: (p: JsonPath) => { what: string; fix: string } | undefined;
}

export function createJsonReader(options: JsonReaderOptions): InputReader {
  const compile = (text: string, loc: Loc, env: ReaderEnv): JsonPath | undefined => {
    const p = parseJsonPath(text);
    if (typeof p === 'string') {
      env.problems.add(where(loc), p, JSON_PATH_HELP);
      return undefined;
    }
    const problem = options.check?.(p);
    if (problem !== undefined) {
      env.problems.add(where(loc), problem.what, problem.fix);
      return undefined;
    }
    if (!p.relative) env.reads.element((p.steps[0] as Step).name);
    return p;
  };
  return {
    kind: options.kind,
    read(text, loc, env): One | undefined {
      const p = compile(text, loc, env);
      return p === undefined ? undefined : (cur) => firstValue(p, cur);
    },
    text(text, loc, env): ReadText | undefined {
      const p = compile(text, loc, env);
      return p === undefined ? undefined : (cur) => asText(firstValue(p, cur));
    },
    exists(text, loc, env): Test | undefined {
      const p = compile(text, loc, env);
      return p === undefined ? undefined : (cur) => firstValue(p, cur) !== undefined;
    },
    focus(text, loc, env): Focus | undefined {
      const p = compile(text, loc, env);
      if (p === undefined) return undefined;
      return (cur) => {
        const out: unknown[] = [];
        walk(startOf(p, cur), p.steps, 0, out, true);
        const node = out[0];
        return node === undefined ? undefined : new JsonCursor((cur as JsonCursor).record, node, (cur as JsonCursor).origin, placeOf(cur, p), cur.vars);
      };
    },
    loop(text, loc, env): Iterate | undefined {
      const p = compile(text, loc, env);
      if (p === undefined) return undefined;
      return (cur) => {
        const { record, origin } = cur as JsonCursor;
        return valuesAt(p, cur)
          .filter((v) => cleanJson(v) !== undefined)
          .map((node, i) => new JsonCursor(record, node, origin, placeOf(cur, p, i), cur.vars));
      };
    },
    here: (cur) => cleanJson((cur as JsonCursor).node),
  };
}
