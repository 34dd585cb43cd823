/**
 * Compiles the mapping files of inputs other than HL7 v2 (mappings/gp/, record-schema.ts): templates in the
 * same language, read by a JSON reader (json-input.ts), and structures saying which input records make which
 * resources. FHIR files share one template namespace; each CSV structure sees the templates of its own file
 * and of CSV files without a structure, so that every path can be checked against that layout's columns.
 */
import { CompileEnv, type CompiledTemplate, type Shared, type TemplateSource } from './compile-env.js';
import { useTemplate } from './compile-shape.js';
import { compileTemplate } from './compile-template.js';
import { compileCondition, type Condition } from './conditions.js';
import type { ConceptMap } from './concept-maps.js';
import { createJsonReader } from './json-input.js';
import type { Problems } from './problems.js';
import { ReadSet } from './reads.js';
import type { InputKind, RecordEntryDef, RecordFile } from './record-schema.js';
import { at, where, type Loc, type SourceFile } from './yaml-source.js';

export interface CompiledRecordEntry {
  readonly key?: string;
  readonly into?: string;
  readonly repeat: boolean;
  /** input: fhir — the resource type of the records it maps; undefined for CSV (the row) */
  readonly source?: string;
  readonly required: boolean;
  /** file:line of the entry */
  readonly where: string;
  readonly template: CompiledTemplate;
  readonly when?: Condition;
}

export interface CompiledRecordStructure {
  readonly input: InputKind;
  readonly structure: string;
  readonly where: string;
  readonly entries: readonly CompiledRecordEntry[];
  readonly vars: Readonly<Record<string, string>>;
  readonly preserve: readonly { readonly resource: string; readonly elements: readonly string[] }[];
  /** input: csv — the layout's columns and the columns naming the person */
  readonly columns?: readonly string[];
  readonly person?: { readonly nhsNumber: string; readonly localId?: string };
  /** per source resource type (FHIR) or '' (CSV): the top-level elements or columns read, for the unmapped report */
  readonly reads: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface RecordFileSource {
  readonly def: RecordFile;
  readonly file: SourceFile;
  /** 0: the base folder; 1, 2 …: a channel's overlays in order (a later layer replaces a template or structure by name) */
  readonly layer?: number;
}

/** Vars a record mapping can read besides the built-in ones. */
const RECORD_VARS = ['sourceFile', 'rowNumber'] as const;

function sharedFor(templates: Map<string, TemplateSource>, conceptMaps: ReadonlyMap<string, ConceptMap>, problems: Problems, input: Shared['input'], explain: Shared['explain']): Shared {
  return { templates, compiled: new Map(), compiling: new Set(), compileTemplate, conceptMaps, problems, vars: [], refs: [], ...(input ? { input } : {}), ...(explain ? { explain } : {}) };
}

const layerOf = (s: RecordFileSource): number => s.layer ?? 0;

/**
 * Add a file's templates to a namespace (files are added in layer order). A template of an overlay replaces the one
 * of that name from an earlier layer; two of one name in one layer are a load error. `skip`: names left out here.
 */
function addTemplates(into: Map<string, TemplateSource>, source: RecordFileSource, problems: Problems, layers: Map<string, number>, skip?: (name: string) => boolean): void {
  for (const [name, def] of Object.entries(source.def.templates ?? {})) {
    if (skip?.(name) === true) continue;
    const loc: Loc = { file: source.file, path: ['templates', name] };
    if (into.has(name) && layers.get(name) === layerOf(source)) {
      problems.add(where(loc, [], true), `template ${name} is defined twice for input ${source.def.input}`, 'rename one of them (the templates of one input share one namespace; an overlay replaces a base template of the same name)');
      continue;
    }
    into.set(name, { name, def, loc, kind: def.resourceType !== undefined ? 'segment' : 'datatype' });
    layers.set(name, layerOf(source));
  }
}

/** Structure files by name: the one of the latest layer, and those it replaces. Two of one name in one layer are a load error. */
function byStructure(sources: readonly RecordFileSource[], problems: Problems): Map<string, { winner: RecordFileSource; replaced: RecordFileSource[] }> {
  const out = new Map<string, { winner: RecordFileSource; replaced: RecordFileSource[] }>();
  for (const s of sources) {
    const name = s.def.structure;
    if (name === undefined) continue;
    const known = out.get(name);
    if (known === undefined) out.set(name, { winner: s, replaced: [] });
    else if (layerOf(known.winner) === layerOf(s)) problems.add(where({ file: s.file, path: ['structure'] }), `structure ${name} is defined twice`, 'give each structure its own name (an overlay replaces a base structure of the same name)');
    else if (layerOf(s) > layerOf(known.winner)) {
      known.replaced.push(known.winner);
      known.winner = s;
    } else known.replaced.push(s);
  }
  return out;
}

const byLayer = (a: RecordFileSource, b: RecordFileSource): number => layerOf(a) - layerOf(b);

function compileEntry(def: RecordEntryDef, loc: Loc, env: CompileEnv, keys: ReadonlySet<string>, reads: ReadSet): CompiledRecordEntry | undefined {
  const template = useTemplate(def.template, at(loc, 'template'), env, def.into === undefined);
  if (def.into !== undefined && !keys.has(def.into)) {
    env.problems.add(where(at(loc, 'into')), `into: ${def.into} names no resource of this structure`, `use one of the keys: ${[...keys].join(', ')}`);
  }
  const when = def.when !== undefined ? compileCondition(def.when, at(loc, 'when'), env.withReads(reads), 'segment') : undefined;
  if (template === undefined) return undefined;
  reads.addAll(template.reads);
  return {
    ...(def.key !== undefined ? { key: def.key } : {}),
    ...(def.into !== undefined ? { into: def.into } : {}),
    repeat: def.repeat === true,
    ...(def.source !== undefined ? { source: def.source } : {}),
    required: def.required === true,
    where: where(loc),
    template,
    ...(when !== undefined ? { when } : {}),
  };
}

function compileStructure(source: RecordFileSource, env: CompileEnv): CompiledRecordStructure {
  const { def, file } = source;
  const loc: Loc = { file, path: [] };
  const keys = new Set<string>();
  (def.resources ?? []).forEach((e, i) => {
    if (e.key === undefined) return;
    if (keys.has(e.key)) env.problems.add(where(at(loc, 'resources', i, 'key')), `key ${e.key} is used twice in ${def.structure ?? ''}`, 'give each resource its own key');
    keys.add(e.key);
  });
  const reads = new Map<string, ReadSet>();
  const readsOf = (type: string): ReadSet => {
    let r = reads.get(type);
    if (r === undefined) reads.set(type, (r = new ReadSet()));
    return r;
  };
  const entries: CompiledRecordEntry[] = [];
  (def.resources ?? []).forEach((e, i) => {
    const entry = compileEntry(e, at(loc, 'resources', i), env, keys, readsOf(e.source ?? ''));
    if (entry !== undefined) entries.push(entry);
  });
  for (const text of def.ignore ?? []) {
    // `Type` (a whole resource type) or `Type.element` (FHIR), or a column (CSV)
    const [type, element] = def.input === 'csv' ? ['', text] : text.split('.', 2);
    if (element === undefined) readsOf(type as string);
    else readsOf(type as string).element(element);
  }
  (def.preserve ?? []).forEach((p, i) => {
    if (!keys.has(p.resource)) {
      env.problems.add(where(at(loc, 'preserve', i, 'resource')), `preserve names ${p.resource}, which is no resource of this structure`, `use one of the keys: ${[...keys].join(', ')}`);
    }
  });
  return {
    input: def.input,
    structure: def.structure as string,
    where: where(loc),
    entries,
    vars: def.vars ?? {},
    preserve: def.preserve ?? [],
    ...(def.columns !== undefined ? { columns: def.columns } : {}),
    ...(def.person !== undefined ? { person: def.person } : {}),
    reads: new Map([...reads].map(([k, v]) => [k, v.elements])),
  };
}

function checkUses(shared: Shared, sources: readonly RecordFileSource[], keys: ReadonlySet<string>, builtins: readonly string[]): void {
  const known = new Set<string>([...builtins, ...RECORD_VARS]);
  for (const s of sources) for (const k of Object.keys(s.def.vars ?? {})) known.add(k);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'with' && v !== null && typeof v === 'object') for (const n of Object.keys(v)) known.add(n);
        visit(v);
      }
    }
  };
  for (const t of shared.templates.values()) visit(t.def);
  for (const use of shared.vars) {
    if (!known.has(use.name)) shared.problems.add(where(use.loc), `unknown var ${JSON.stringify(use.name)}`, `use one of: ${[...known].sort().join(', ')}`);
  }
  for (const use of shared.refs) {
    if (!keys.has(use.name)) shared.problems.add(where(use.loc), `ref ${JSON.stringify(use.name)} names no resource key of any structure of this input`, `use one of: ${[...keys].sort().join(', ')}`);
  }
}

function compileGroup(
  sources: readonly RecordFileSource[],
  structures: readonly RecordFileSource[],
  shared: Shared,
  out: Map<string, CompiledRecordStructure>,
  builtins: readonly string[],
  /** files of structures an overlay replaced: their templates are there to be used by name, and checked only when used */
  replaced: ReadonlySet<SourceFile> = new Set(),
): void {
  const env = new CompileEnv(shared);
  const keys = new Set<string>();
  for (const s of structures) for (const e of s.def.resources ?? []) if (e.key !== undefined) keys.add(e.key);
  for (const s of structures) {
    const name = s.def.structure as string;
    if (out.has(name)) {
      shared.problems.add(where({ file: s.file, path: ['structure'] }), `structure ${name} is defined twice`, 'give each structure its own name');
      continue;
    }
    out.set(name, compileStructure(s, env));
  }
  for (const t of shared.templates.values()) {
    if (replaced.has(t.loc.file) && !shared.compiled.has(t.name)) continue;
    compileTemplate(t, env); // unused templates are checked too
  }
  checkUses(shared, sources, keys, builtins);
}

/** Compile every record mapping file; problems are added to `problems`. Structures by name. */
export function compileRecordFiles(
  sources: readonly RecordFileSource[],
  conceptMaps: ReadonlyMap<string, ConceptMap>,
  problems: Problems,
  /** vars every rule can read (mapping-set.ts) */
  builtins: readonly string[],
  /** the explaining variant (`junction map --explain`), see explain.ts */
  explain?: Shared['explain'],
): Map<string, CompiledRecordStructure> {
  const out = new Map<string, CompiledRecordStructure>();
  const fhir = sources.filter((s) => s.def.input === 'fhir').sort(byLayer);
  if (fhir.length > 0) {
    const templates = new Map<string, TemplateSource>();
    const layers = new Map<string, number>();
    for (const s of fhir) addTemplates(templates, s, problems, layers);
    const shared = sharedFor(templates, conceptMaps, problems, createJsonReader({ kind: 'fhir' }), explain);
    const groups = [...byStructure(fhir, problems).values()];
    compileGroup(fhir, groups.map((g) => g.winner), shared, out, builtins, new Set(groups.flatMap((g) => g.replaced.map((f) => f.file))));
  }
  const csv = sources.filter((s) => s.def.input === 'csv').sort(byLayer);
  const csvLibrary = csv.filter((s) => s.def.structure === undefined);
  // a template a layout's own file defines is that layout's: an overlay template of that name replaces it there only
  const ownedByLayout = new Set(csv.filter((s) => s.def.structure !== undefined).flatMap((s) => Object.keys(s.def.templates ?? {})));
  for (const { winner: s, replaced } of byStructure(csv, problems).values()) {
    const templates = new Map<string, TemplateSource>();
    const layers = new Map<string, number>();
    const own = new Set([s, ...replaced].flatMap((f) => Object.keys(f.def.templates ?? {})));
    for (const f of [...csvLibrary, ...replaced, s].sort(byLayer)) {
      addTemplates(templates, f, problems, layers, f.def.structure === undefined ? (n) => ownedByLayout.has(n) && !own.has(n) : undefined);
    }
    const columns = new Set(s.def.columns ?? []);
    const layout = s.def.structure as string;
    const reader = createJsonReader({
      kind: 'csv',
      check: (p) =>
        p.relative
          ? undefined
          : p.steps.length !== 1 || p.steps[0]?.index !== undefined
            ? { what: `${JSON.stringify(p.text)} is not a column name (a CSV row has no nested values)`, fix: `use one of the columns of ${layout}: ${[...columns].join(', ')}` }
            : !columns.has(p.steps[0]?.name ?? '')
              ? { what: `there is no column ${JSON.stringify(p.text)} in layout ${layout}`, fix: `use one of: ${[...columns].join(', ')} (or add it to columns:)` }
              : undefined,
    });
    compileGroup([s], [s], sharedFor(templates, conceptMaps, problems, reader, explain), out, builtins, new Set(replaced.map((f) => f.file)));
    for (const col of [s.def.person?.nhsNumber, s.def.person?.localId]) {
      if (col !== undefined && !columns.has(col)) problems.add(where({ file: s.file, path: ['person'] }), `person names column ${col}, which is not in columns:`, 'add it to columns: or fix its spelling');
    }
  }
  return out;
}
