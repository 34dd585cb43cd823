/** Concept maps (codesystems/*.yaml): a source code → a target code, display and system. */
import type { ConceptMapFile, ConceptTargetDef } from './schema.js';
import type { SourceFile } from './yaml-source.js';

/** Every concept (and every map) has all its keys, some undefined: one shape, so that lookups read them fast. */
export interface Concept {
  readonly code: string;
  readonly display: string | undefined;
  readonly system: string | undefined;
}

export interface ConceptMap {
  readonly id: string;
  /** files it was read from (base first, then overlays) */
  readonly files: readonly string[];
  readonly target: string | undefined;
  readonly caseSensitive: boolean;
  readonly entries: ReadonlyMap<string, Concept>;
  readonly fallback: Concept | undefined;
}

function concept(def: ConceptTargetDef, target: string | undefined): Concept {
  const c = typeof def === 'string' ? { code: def, display: undefined, system: undefined } : def;
  return { code: c.code, display: c.display, system: c.system ?? target };
}

function key(code: string, caseSensitive: boolean): string {
  const k = code.trim();
  return caseSensitive ? k : k.toUpperCase();
}

/** Build a map from its base file, or add an overlay file's entries to it (the overlay wins per code). */
export function mergeConceptMap(base: ConceptMap | undefined, def: ConceptMapFile, file: SourceFile): ConceptMap {
  const caseSensitive = def.caseSensitive ?? base?.caseSensitive ?? false;
  const target = def.target ?? base?.target;
  const entries = new Map<string, Concept>();
  if (base !== undefined) for (const [k, v] of base.entries) entries.set(key(k, caseSensitive), v);
  for (const [code, t] of Object.entries(def.entries)) entries.set(key(code, caseSensitive), concept(t, target));
  const fallback = def.default !== undefined ? concept(def.default, target) : base?.fallback;
  return { id: def.id, files: [...(base?.files ?? []), file.display], target, caseSensitive, entries, fallback };
}

export function lookupConcept(map: ConceptMap, code: string): Concept | undefined {
  // codes usually arrive exactly as the map keys them; normalising (trim, upper-case) is the fallback
  return map.entries.get(code) ?? map.entries.get(key(code, map.caseSensitive));
}
