/** Compiles message files (messages/*.yaml) into structures: which segments make which resources. */
import { internString } from '../hl7v2/text.js';
import { compileCondition, type Condition } from './conditions.js';
import type { CompileEnv, CompiledTemplate } from './compile-env.js';
import { useTemplate } from './compile-shape.js';
import { parseMappingPath, PATH_HELP } from './paths.js';
import { ReadSet } from './reads.js';
import type { EntryDef, MessageFile, PreserveDef } from './schema.js';
import { where, type Loc } from './yaml-source.js';

export interface CompiledEntry {
  readonly key?: string;
  readonly into?: string;
  readonly repeat: boolean;
  /** only the first segment of this name is used; more make a warning (a message with several groups) */
  readonly once: boolean;
  readonly segment: string;
  readonly required: boolean;
  /** file:line of the entry */
  readonly where: string;
  readonly template: CompiledTemplate;
  readonly when?: Condition;
  /** the segments of this entry's group (PR1 → ROL), when it has one */
  readonly group?: ReadonlySet<string>;
}

export interface CompiledPreserve {
  readonly resource: string;
  readonly elements: readonly string[];
  readonly when?: Condition;
}

export interface EventSettings {
  readonly vars: Readonly<Record<string, string>>;
  readonly preserve: readonly CompiledPreserve[];
}

export interface CompiledStructure {
  readonly structure: string;
  readonly where: string;
  readonly entries: readonly CompiledEntry[];
  readonly events: ReadonlyMap<string, EventSettings>;
  readonly vars: Readonly<Record<string, string>>;
  /** preserve rules for every event of the structure (the file's top-level preserve:) */
  readonly preserve: readonly CompiledPreserve[];
  /** every field any rule of this structure reads (or the files say to ignore), for the unmapped report */
  readonly reads: ReadonlyMap<string, ReadonlySet<number>>;
  readonly keys: ReadonlySet<string>;
  /** head segment → member segments, for the entries with `group:`; undefined when none has one (no extra work per message) */
  readonly groups?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Fields the engine itself reads: the delimiters, the message type (choosing the map), MSH-7 (Bundle.timestamp). */
const ENGINE_READS: readonly [string, number][] = [
  ['MSH', 1],
  ['MSH', 2],
  ['MSH', 7],
  ['MSH', 9],
];

export interface MessageSource {
  readonly def: MessageFile;
  readonly loc: Loc;
}

function at(loc: Loc, ...steps: (string | number)[]): Loc {
  return { file: loc.file, path: [...loc.path, ...steps] };
}

function compileEntry(def: EntryDef, loc: Loc, env: CompileEnv, keys: ReadonlySet<string>, everyStructure: boolean): CompiledEntry | undefined {
  // an `extends: "*"` file adding to a resource this structure does not make (ADT_A30 has no encounter) skips it here
  if (everyStructure && def.into !== undefined && !keys.has(def.into)) return undefined;
  env.reads.touch(def.segment);
  const isResource = def.into === undefined;
  const template = useTemplate(def.template, at(loc, 'template'), env, isResource);
  if (def.into !== undefined && !keys.has(def.into)) {
    env.problems.add(where(at(loc, 'into')), `into: ${def.into} names no resource of this structure`, `use one of the keys: ${[...keys].join(', ')}`);
  }
  const when = def.when !== undefined ? compileCondition(def.when, at(loc, 'when'), env, 'segment') : undefined;
  if (template === undefined) return undefined;
  return {
    ...(def.key !== undefined ? { key: internString(def.key) } : {}),
    ...(def.into !== undefined ? { into: internString(def.into) } : {}),
    repeat: def.repeat === true,
    once: def.once === true,
    segment: internString(def.segment), // the parser's segment names are interned too: looked up by identity
    required: def.required === true,
    where: where(loc),
    template,
    ...(when !== undefined ? { when } : {}),
    ...(def.group !== undefined ? { group: new Set(def.group.map((g) => internString(g))) } : {}),
  };
}

function addIgnored(list: readonly string[] | undefined, loc: Loc, env: CompileEnv): void {
  list?.forEach((text, i) => {
    const p = parseMappingPath(text, true);
    if (typeof p === 'string' || p.kind === 'relative' || (p.kind === 'absolute' && p.component !== undefined)) {
      env.problems.add(where(at(loc, 'ignore', i)), `ignore takes a segment (ZU1) or a field (EVN-2), not ${JSON.stringify(text)}`, PATH_HELP);
    } else if (p.kind === 'segment') {
      env.reads.touch(p.segment);
    } else {
      env.reads.field(p.segment, p.field);
    }
  });
}

/** Compile one structure with the extends files that add to it. */
export function compileStructure(base: MessageSource, additions: readonly MessageSource[], parent: CompileEnv): CompiledStructure {
  const reads = new ReadSet();
  const env = parent.withReads(reads);
  for (const [seg, field] of ENGINE_READS) reads.field(seg, field);
  const all = [base, ...additions];
  const keys = new Set<string>();
  for (const source of all) {
    for (const e of source.def.resources) {
      if (e.key === undefined) continue;
      if (keys.has(e.key)) {
        const i = source.def.resources.indexOf(e);
        env.problems.add(where(at(source.loc, 'resources', i, 'key')), `key ${e.key} is used twice in ${base.def.structure}`, 'give each resource its own key');
      }
      keys.add(e.key);
    }
  }
  const entries: CompiledEntry[] = [];
  for (const source of all) {
    source.def.resources.forEach((e, i) => {
      const entry = compileEntry(e, at(source.loc, 'resources', i), env, keys, source.def.extends === '*');
      if (entry !== undefined) entries.push(entry);
    });
    addIgnored(source.def.ignore, source.loc, env);
  }
  // a group member no rule reads (NTE in an IAM group) stays in the unmapped report: group: does not read it
  const groups = new Map<string, ReadonlySet<string>>();
  for (const e of entries) {
    if (e.group === undefined) continue;
    const known = groups.get(e.segment);
    groups.set(e.segment, known === undefined ? e.group : new Set([...known, ...e.group]));
  }
  const compilePreserve = (list: readonly PreserveDef[] | undefined, loc: Loc): CompiledPreserve[] =>
    (list ?? []).map((p, i): CompiledPreserve => {
      const ploc = at(loc, 'preserve', i);
      if (!keys.has(p.resource)) {
        env.problems.add(where(at(ploc, 'resource')), `preserve names ${p.resource}, which is no resource of this structure`, `use one of the keys: ${[...keys].join(', ')}`);
      }
      const when = p.when !== undefined ? compileCondition(p.when, at(ploc, 'when'), env, 'segment') : undefined;
      return { resource: p.resource, elements: p.elements, ...(when !== undefined ? { when } : {}) };
    });
  const events = new Map<string, EventSettings>();
  for (const [event, settings] of Object.entries(base.def.events ?? {})) {
    events.set(event, { vars: settings.vars ?? {}, preserve: compilePreserve(settings.preserve, at(base.loc, 'events', event)) });
  }
  return {
    structure: base.def.structure as string,
    where: where(base.loc),
    entries,
    events,
    vars: base.def.vars ?? {},
    preserve: compilePreserve(base.def.preserve, base.loc),
    reads: reads.segments,
    keys,
    ...(groups.size > 0 ? { groups } : {}),
  };
}
