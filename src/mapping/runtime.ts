/**
 * What compiled rules work on at run time: a cursor (where in the message a rule is looking) and the
 * run (one message being mapped: its segments by name, the resources made so far, warnings).
 */
import type { Hl7Field, Hl7Message, Hl7Segment } from '../hl7v2/types.js';
import type { AbsolutePath, RelativePath } from './paths.js';

export type Json = string | number | boolean | JsonObject | Json[];
export interface JsonObject {
  [key: string]: Json;
}

/**
 * The vars a rule can read: the message's own (built once per message), with the values passed by each
 * enclosing `with:` on top. A `with:` adds a small scope instead of copying every var.
 */
export class Vars {
  constructor(
    private readonly values: ReadonlyMap<string, string | undefined>,
    private readonly outer?: Vars,
  ) {}

  get(name: string): string | undefined {
    for (let scope: Vars | undefined = this; scope !== undefined; scope = scope.outer) {
      const v = scope.values.get(name);
      if (v !== undefined || scope.values.has(name)) return v;
    }
    return undefined;
  }

  /** these vars with `extra` on top (`extra` wins) */
  with(extra: ReadonlyMap<string, string | undefined>): Vars {
    return new Vars(extra, this);
  }
}

/**
 * Where a rule is looking: a segment, optionally one repetition of a field, a component, a subcomponent.
 * A class (not object literals) so that every cursor has one shape and property reads stay fast.
 */
export class Cursor {
  constructor(
    readonly seg: Hl7Segment | undefined,
    readonly fieldNo: number,
    readonly repNo: number,
    readonly field: Hl7Field | undefined,
    /** 0 = the whole field */
    readonly comp: number,
    /** 0 = the whole component */
    readonly sub: number,
    readonly vars: Vars,
  ) {}

  withVars(vars: Vars): Cursor {
    return new Cursor(this.seg, this.fieldNo, this.repNo, this.field, this.comp, this.sub, vars);
  }

  at(comp: number, sub: number): Cursor {
    return new Cursor(this.seg, this.fieldNo, this.repNo, this.field, comp, sub, this.vars);
  }

  /** how warnings name a place outside any segment (readers of other inputs say where in their record) */
  describeSelf(): string {
    return 'message';
  }

  /** how warnings name an absolute path read from here: HL7 paths name themselves (`PID-8`); other readers prefix their record */
  describePath(path: string): string {
    return path;
  }
}

const NO_SEGMENTS: readonly Hl7Segment[] = Object.freeze([]);

/** The segments of one group occurrence (a PR1 and the ROLs after it), by name. */
export type GroupSegments = ReadonlyMap<string, readonly Hl7Segment[]>;

/** One mapping run over one message. */
export class Run {
  private byName: Map<string, Hl7Segment[]> | undefined;
  /**
   * While an entry with `group:` maps one occurrence: the segments of its group. Paths and `each:` naming a
   * group segment read these instead of the message's. Undefined otherwise (and always without groups).
   */
  group: GroupSegments | undefined;
  readonly warnings: string[] = [];
  /** resources made from templates used with `resource:` (GP practice, practitioners, locations) */
  readonly secondary = new Map<string, JsonObject>();
  /** message entry key → `Type/id` */
  readonly refs = new Map<string, string>();
  /** `Type/id` of every resource a message entry makes */
  readonly mainKeys = new Set<string>();

  constructor(readonly message: Hl7Message) {}

  /** The message's segments of a name, leaving out those a group claimed (see claimGroups). */
  segmentsNamed(name: string): readonly Hl7Segment[] {
    if (this.byName === undefined) {
      const map = new Map<string, Hl7Segment[]>();
      for (const s of this.message.segments) {
        const list = map.get(s.name);
        if (list === undefined) map.set(s.name, [s]);
        else list.push(s);
      }
      this.byName = map;
    }
    return this.byName.get(name) ?? NO_SEGMENTS;
  }

  /** The segments of a name a rule sees: the current group's when it has that name, else the message's. */
  segmentsInScope(name: string): readonly Hl7Segment[] {
    const g = this.group;
    if (g !== undefined) {
      const inGroup = g.get(name);
      if (inGroup !== undefined) return inGroup;
    }
    return this.segmentsNamed(name);
  }

  /**
   * Split off the groups: for each head segment name (PR1) with its member names (ROL), the members that
   * follow one head, up to the next head or the first segment that is no member, belong to that head. They are
   * taken out of what segmentsNamed gives (other entries and paths no longer see them) and returned per head.
   * Called once per message, only for structures that have groups.
   */
  claimGroups(groups: ReadonlyMap<string, ReadonlySet<string>>): Map<Hl7Segment, GroupSegments> {
    const byHead = new Map<Hl7Segment, GroupSegments>();
    const map = new Map<string, Hl7Segment[]>();
    let members: ReadonlySet<string> | undefined;
    let current: Map<string, Hl7Segment[]> | undefined;
    for (const s of this.message.segments) {
      const head = groups.get(s.name);
      if (head !== undefined) {
        members = head;
        current = new Map();
        for (const m of head) current.set(m, []); // a member the group lacks is absent, not read from the message
        byHead.set(s, current);
      } else if (members !== undefined && current !== undefined && members.has(s.name)) {
        (current.get(s.name) as Hl7Segment[]).push(s);
        continue; // claimed: not offered to anything outside the group
      } else {
        members = undefined;
        current = undefined;
      }
      const list = map.get(s.name);
      if (list === undefined) map.set(s.name, [s]);
      else list.push(s);
    }
    this.byName = map;
    return byHead;
  }

  warn(text: string): void {
    this.warnings.push(text);
  }

  /** `Type/id` of the resource mapped from the input record a reference in the input names (FHIR input only) */
  resolveReference(_text: string): string | undefined {
    return undefined;
  }
}

export function rootCursor(seg: Hl7Segment | undefined, vars: Vars): Cursor {
  return new Cursor(seg, 0, 0, undefined, 0, 0, vars);
}

/** `PID-3[2].4` — the place a cursor points at, for warnings. */
export function describe(cur: Cursor): string {
  if (cur.seg === undefined) return cur.describeSelf();
  if (cur.fieldNo === 0) return cur.seg.name;
  let text = `${cur.seg.name}-${cur.fieldNo}`;
  if (cur.repNo > 1) text += `[${cur.repNo}]`;
  if (cur.comp > 0) text += `.${cur.comp}`;
  if (cur.sub > 0) text += `.${cur.sub}`;
  return text;
}

export function segmentFor(p: AbsolutePath, cur: Cursor, run: Run): Hl7Segment | undefined {
  if (p.segmentIndex === undefined && cur.seg !== undefined && cur.seg.name === p.segment) return cur.seg;
  return run.segmentsInScope(p.segment)[(p.segmentIndex ?? 1) - 1];
}

/** Absent for the HL7 null `""` and for blank text; otherwise trimmed (FHIR strings carry no outer spaces). */
function clean(v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const code = v.charCodeAt(0);
  const last = v.charCodeAt(v.length - 1);
  if (code > 32 && last > 32) return v;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** The decoded text at an absolute path (the HL7 null `""` reads as absent). */
export function readAbsolute(p: AbsolutePath, cur: Cursor, run: Run): string | undefined {
  const seg = segmentFor(p, cur, run);
  if (seg === undefined) return undefined;
  return clean(seg.value(p.field, p.component ?? 1, p.subcomponent ?? 1, p.repetition ?? 1));
}

/** The decoded text at a relative path (`.1`, `.4.1`) from a field or component cursor. */
export function readRelative(p: RelativePath, cur: Cursor): string | undefined {
  const f = cur.field;
  if (f === undefined || cur.sub > 0) return undefined;
  if (cur.comp === 0) return clean(f.value(p.component, p.subcomponent ?? 1));
  if (p.subcomponent !== undefined) return undefined;
  return clean(f.value(cur.comp, p.component));
}

/** The decoded text a cursor points at (first component / subcomponent when it points at more). */
export function readCursor(cur: Cursor): string | undefined {
  if (cur.field === undefined) return undefined;
  return clean(cur.field.value(cur.comp || 1, cur.sub || 1));
}

/** Narrow a cursor to an absolute path (for templates applied there). */
export function focusAbsolute(p: AbsolutePath, cur: Cursor, run: Run): Cursor | undefined {
  const seg = segmentFor(p, cur, run);
  if (seg === undefined) return undefined;
  const rep = p.repetition ?? 1;
  const field = seg.field(p.field, rep);
  if (field === undefined || field.isNull) return undefined;
  return new Cursor(seg, p.field, rep, field, p.component ?? 0, p.subcomponent ?? 0, cur.vars);
}

export function focusRelative(p: RelativePath, cur: Cursor): Cursor | undefined {
  if (cur.field === undefined || cur.sub > 0) return undefined;
  if (cur.comp === 0) return cur.at(p.component, p.subcomponent ?? 0);
  if (p.subcomponent !== undefined) return undefined;
  return cur.at(cur.comp, p.component);
}

/** Every repetition of an absolute field path, as cursors. */
export function eachRepetition(p: AbsolutePath, cur: Cursor, run: Run): Cursor[] {
  const seg = segmentFor(p, cur, run);
  if (seg === undefined) return [];
  const reps = seg.repetitions(p.field);
  const out = new Array<Cursor>(reps.length); // its exact size (push would keep room for 16 more)
  let n = 0;
  for (let i = 0; i < reps.length; i++) {
    const field = reps[i] as Hl7Field;
    if (field.isEmpty || field.isNull) continue;
    out[n++] = new Cursor(seg, p.field, i + 1, field, p.component ?? 0, 0, cur.vars);
  }
  if (n < out.length) out.length = n;
  return out;
}

/** Every subcomponent of a component (relative path `.3`), as cursors. */
export function eachSubcomponent(p: RelativePath, cur: Cursor): Cursor[] {
  const f = cur.field;
  if (f === undefined || cur.comp > 0) return [];
  const n = f.subcomponentCount(p.component);
  const out: Cursor[] = [];
  for (let s = 1; s <= n; s++) {
    if (clean(f.value(p.component, s)) !== undefined) out.push(cur.at(p.component, s));
  }
  return out;
}

/** A FHIR id: 1 to 64 of A-Z, a-z, 0-9, - and . */
export function isFhirId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 45 || c === 46;
    if (!ok) return false;
  }
  return true;
}

/** A deep copy of a constant, so that no two outputs share an object. */
export function copyJson(v: Json): Json {
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyJson);
  const out: JsonObject = {};
  for (const k in v) out[k] = copyJson(v[k] as Json);
  return out;
}
