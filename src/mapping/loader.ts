/**
 * Reads a mapping folder (and channel overlays with the same layout), validates every file against its
 * schema, merges the overlays, and compiles everything once. All problems are reported together.
 *
 *   hl7v2/events.yaml            message code + event → structure
 *   hl7v2/messages/*.yaml        one structure each (or `extends:` additions to others)
 *   hl7v2/segments/*.yaml        resource templates (and templates merged into them)
 *   hl7v2/datatypes/*.yaml       datatype templates (XPN → HumanName …)
 *   codesystems/*.yaml           concept maps
 *   security-labels.yaml         security-label rules
 *   gp/ (and subfolders)         other inputs (input: fhir | csv): GP Connect bundles, CSV extracts (record-structure.ts)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CompileEnv, type Shared, type TemplateSource } from './compile-env.js';
import { compileTemplate } from './compile-template.js';
import { mergeConceptMap, type ConceptMap } from './concept-maps.js';
import type { LabelRule } from './labels.js';
import { Problems } from './problems.js';
import {
  conceptMapFileSchema,
  datatypeFileSchema,
  eventsFileSchema,
  labelsFileSchema,
  messageFileSchema,
  segmentFileSchema,
} from './schema.js';
import { compileStructure, type CompiledStructure, type MessageSource } from './structure.js';
import { compileRecordFiles, type RecordFileSource } from './record-structure.js';
import { recordFileSchema } from './record-schema.js';
import { displayPath, readYamlFile, validate, where, type Loc, type SourceFile } from './yaml-source.js';
import { CompiledMappingSet, BUILTIN_VARS } from './mapping-set.js';
import { Explainer } from './explain.js';

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

interface Layer {
  readonly dir: string;
  readonly base: boolean;
  /** 0 for the base folder, then each overlay in order: a later layer replaces what an earlier one names the same */
  readonly index: number;
}

interface Collected {
  readonly files: string[];
  readonly events: Map<string, { structure: string; loc: Loc }>;
  readonly templates: Map<string, TemplateSource>;
  readonly conceptMaps: Map<string, ConceptMap>;
  readonly messages: Map<string, MessageSource>;
  readonly additions: MessageSource[];
  readonly labels: Map<string, LabelRule>;
  readonly records: RecordFileSource[];
}

/** YAML files in a folder and its subfolders, in name order. */
function yamlTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return [...yamlFiles(dir), ...subdirs.flatMap((d) => yamlTree(join(dir, d)))];
}

function readLayer(layer: Layer, into: Collected, problems: Problems): void {
  const read = (path: string): SourceFile | undefined => {
    into.files.push(path);
    return readYamlFile(path, problems);
  };
  const eventsPath = join(layer.dir, 'hl7v2', 'events.yaml');
  if (existsSync(eventsPath)) {
    const file = read(eventsPath);
    const def = file && validate(file, eventsFileSchema, problems);
    if (file && def) {
      for (const [code, events] of Object.entries(def.events)) {
        for (const [event, structure] of Object.entries(events)) {
          into.events.set(`${code}^${event}`, { structure, loc: { file, path: ['events', code, event] } });
        }
      }
    }
  } else if (layer.base) {
    problems.add(displayPath(eventsPath), 'the event → structure table is missing', 'create hl7v2/events.yaml (events: { ADT: { A01: ADT_A01 } })');
  }

  const seenHere = new Set<string>();
  const addTemplates = (file: SourceFile, templates: Record<string, TemplateSource['def']>, kind: TemplateSource['kind']): void => {
    for (const [name, def] of Object.entries(templates)) {
      const loc: Loc = { file, path: ['templates', name] };
      if (seenHere.has(name)) {
        problems.add(where(loc, [], true), `template ${name} is defined twice in ${displayPath(layer.dir)}`, 'rename one of them (templates share one namespace)');
        continue;
      }
      seenHere.add(name);
      into.templates.set(name, { name, def, loc, kind }); // an overlay replaces the base template of that name
    }
  };
  for (const path of yamlFiles(join(layer.dir, 'hl7v2', 'segments'))) {
    const file = read(path);
    const def = file && validate(file, segmentFileSchema, problems);
    if (file && def) addTemplates(file, def.templates, 'segment');
  }
  for (const path of yamlFiles(join(layer.dir, 'hl7v2', 'datatypes'))) {
    const file = read(path);
    const def = file && validate(file, datatypeFileSchema, problems);
    if (file && def) addTemplates(file, def.templates, 'datatype');
  }

  const mapsHere = new Set<string>();
  for (const path of yamlFiles(join(layer.dir, 'codesystems'))) {
    const file = read(path);
    const def = file && validate(file, conceptMapFileSchema, problems);
    if (!file || !def) continue;
    if (mapsHere.has(def.id)) {
      problems.add(where({ file, path: ['id'] }), `concept map ${def.id} is defined twice in ${displayPath(layer.dir)}`, 'give each map its own id');
      continue;
    }
    mapsHere.add(def.id);
    into.conceptMaps.set(def.id, mergeConceptMap(into.conceptMaps.get(def.id), def, file)); // overlays add entries
  }

  const structuresHere = new Set<string>();
  for (const path of yamlFiles(join(layer.dir, 'hl7v2', 'messages'))) {
    const file = read(path);
    const def = file && validate(file, messageFileSchema, problems);
    if (!file || !def) continue;
    const source: MessageSource = { def, loc: { file, path: [] } };
    if (def.structure === undefined) {
      into.additions.push(source);
      continue;
    }
    if (structuresHere.has(def.structure)) {
      problems.add(where({ file, path: ['structure'] }), `structure ${def.structure} is defined twice in ${displayPath(layer.dir)}`, 'keep one file per structure (use extends: to add to it)');
      continue;
    }
    structuresHere.add(def.structure);
    into.messages.set(def.structure, source); // an overlay replaces the base structure
  }

  for (const path of yamlTree(join(layer.dir, 'gp'))) {
    const file = read(path);
    const def = file && validate(file, recordFileSchema, problems);
    if (file && def) into.records.push({ def, file, layer: layer.index });
  }

  const labelsPath = join(layer.dir, 'security-labels.yaml');
  if (existsSync(labelsPath)) {
    const file = read(labelsPath);
    const def = file && validate(file, labelsFileSchema, problems);
    if (def) for (const rule of def.rules) into.labels.set(rule.name, rule);
  }
}

function checkUses(shared: Shared, known: ReadonlySet<string>, keys: ReadonlySet<string>): void {
  for (const use of shared.vars) {
    if (!known.has(use.name)) {
      shared.problems.add(where(use.loc), `unknown var ${JSON.stringify(use.name)}`, `use one of: ${[...known].sort().join(', ')} (or declare it under vars: in a message file, or pass it with with:)`);
    }
  }
  for (const use of shared.refs) {
    if (!keys.has(use.name)) {
      shared.problems.add(where(use.loc), `ref ${JSON.stringify(use.name)} names no resource key of any message file`, `use one of: ${[...keys].sort().join(', ')}`);
    }
  }
}

export interface LoadOptions {
  /**
   * compile the explaining variant (`junction map --explain`): the set's `explainer` then says which rule
   * made each output element. Slower; never for the engine.
   */
  readonly explain?: boolean;
}

/** Load, validate and compile a mapping folder plus overlays (a channel's own folders, same layout). */
export function loadMappingSet(baseDir: string, overlayDirs: readonly string[] = [], options: LoadOptions = {}): CompiledMappingSet {
  const explainer = options.explain === true ? new Explainer() : undefined;
  const problems = new Problems();
  const layers: Layer[] = [{ dir: baseDir, base: true, index: 0 }, ...overlayDirs.map((dir, i) => ({ dir, base: false, index: i + 1 }))];
  for (const layer of layers) {
    if (!existsSync(layer.dir) || !statSync(layer.dir).isDirectory()) {
      problems.add(displayPath(layer.dir), 'the mapping folder does not exist', 'check the mappings paths in junction.yaml');
    }
  }
  problems.throwIfAny();

  const collected: Collected = {
    files: [],
    events: new Map(),
    templates: new Map(),
    conceptMaps: new Map(),
    messages: new Map(),
    additions: [],
    labels: new Map(),
    records: [],
  };
  for (const layer of layers) readLayer(layer, collected, problems);
  problems.throwIfAny();

  const shared: Shared = {
    templates: collected.templates,
    compiled: new Map(),
    compiling: new Set(),
    compileTemplate,
    conceptMaps: collected.conceptMaps,
    problems,
    vars: [],
    refs: [],
    ...(explainer !== undefined ? { explain: explainer } : {}),
  };
  const env = new CompileEnv(shared);
  const structures = new Map<string, CompiledStructure>();
  for (const [name, source] of collected.messages) {
    const additions = collected.additions.filter((a) => a.def.extends === '*' || a.def.extends?.includes(name) === true);
    structures.set(name, compileStructure(source, additions, env));
  }
  for (const addition of collected.additions) {
    for (const target of addition.def.extends === '*' ? [] : (addition.def.extends ?? [])) {
      if (!collected.messages.has(target)) {
        problems.add(where(addition.loc, ['extends']), `extends ${target}, which no message file defines`, `use one of: ${[...collected.messages.keys()].sort().join(', ')}`);
      }
    }
  }
  // templates no message uses are still compiled, so their mistakes show up too
  for (const source of collected.templates.values()) compileTemplate(source, env);

  const known = new Set<string>(BUILTIN_VARS);
  for (const m of [...collected.messages.values()]) {
    for (const k of Object.keys(m.def.vars ?? {})) known.add(k);
    for (const e of Object.values(m.def.events ?? {})) for (const k of Object.keys(e.vars ?? {})) known.add(k);
  }
  collectWithNames(collected.templates, known);
  const keys = new Set<string>();
  for (const s of structures.values()) for (const k of s.keys) keys.add(k);
  checkUses(shared, known, keys);
  for (const [event, e] of collected.events) {
    if (!structures.has(e.structure)) {
      problems.add(where(e.loc), `${event} maps to ${e.structure}, which no message file defines`, `add hl7v2/messages/${e.structure}.yaml or map the event to one of: ${[...structures.keys()].sort().join(', ')}`);
    }
  }
  problems.throwIfAny();

  const records = compileRecordFiles(collected.records, collected.conceptMaps, problems, BUILTIN_VARS, explainer);
  problems.throwIfAny();

  const events = new Map<string, string>();
  for (const [k, v] of collected.events) events.set(k, v.structure);
  return new CompiledMappingSet(collected.files.map(displayPath), structures, events, [...collected.labels.values()], records, explainer);
}

/** Names passed with `with:` anywhere count as known vars. */
function collectWithNames(templates: ReadonlyMap<string, TemplateSource>, known: Set<string>): void {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'with' && v !== null && typeof v === 'object') for (const name of Object.keys(v)) known.add(name);
        visit(v);
      }
    }
  };
  for (const t of templates.values()) visit(t.def);
}
