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
  /** the entries by a number made from the code's length and end characters (see lookupConcept) */
  readonly index: ReadonlyMap<number, readonly IndexedConcept[]>;
}

interface IndexedConcept {
  readonly code: string;
  readonly concept: Concept;
}

/**
 * A number from a code's length and first and last characters. Codes read from a message are new strings
 * every time: looking them up by this number, then comparing the few codes that share it, hashes no text.
 */
function codeShape(code: string): number {
  const n = code.length;
  if (n === 0) return 0;
  return ((n & 0x3ff) << 20) | ((code.charCodeAt(0) & 0x3ff) << 10) | (code.charCodeAt(n - 1) & 0x3ff);
}

function indexOf(entries: ReadonlyMap<string, Concept>): Map<number, IndexedConcept[]> {
  const index = new Map<number, IndexedConcept[]>();
  for (const [code, concept] of entries) {
    const shape = codeShape(code);
    const list = index.get(shape);
    if (list === undefined) index.set(shape, [{ code, concept }]);
    else list.push({ code, concept });
  }
  return index;
}

function find(map: ConceptMap, code: string): Concept | undefined {
  const list = map.index.get(codeShape(code));
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as IndexedConcept;
    if (e.code === code) return e.concept;
  }
  return undefined;
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
  return { id: def.id, files: [...(base?.files ?? []), file.display], target, caseSensitive, entries, fallback, index: indexOf(entries) };
}

export function lookupConcept(map: ConceptMap, code: string): Concept | undefined {
  // codes usually arrive exactly as the map keys them; normalising (trim, upper-case) is the fallback
  return find(map, code) ?? find(map, key(code, map.caseSensitive));
}
