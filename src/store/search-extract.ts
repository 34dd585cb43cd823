/** What search parameters extract from resources: index entry kinds and the helpers that build them. */
import type { CodeableConcept, HumanName, Identifier, Reference, Resource } from '@medplum/fhirtypes';
import { parseDateRange } from './fhir-date-range.js';
import type { SearchParamType } from './types.js';

/** A value a resource is found by, as written to `search_index`. */
export type IndexEntry =
  | { readonly kind: 'token'; readonly system?: string; readonly code: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'reference'; readonly targetType?: string; readonly targetId: string }
  /** [start, end) ISO instants, `-infinity` / `infinity` when open */
  | { readonly kind: 'date'; readonly start: string; readonly end: string };

export interface SearchParameterDefinition {
  readonly type: SearchParamType;
  readonly description: string;
  /** resource types a reference parameter points at (a bare id is matched against these) */
  readonly targets?: readonly string[];
  /**
   * A reference parameter whose values are exactly another parameter's values that point at one type
   * (`patient`: the `subject` references to a Patient): it gets no search_index rows of its own and is
   * answered from that parameter's rows of that target type. `extract` still says what it holds.
   */
  readonly storedAs?: { readonly param: string; readonly targetType: string };
  extract(resource: Resource): IndexEntry[];
}

export function token(system: string | undefined, code: string): IndexEntry {
  return system ? { kind: 'token', system, code } : { kind: 'token', code };
}

export function identifiers(list: readonly Identifier[] | undefined): IndexEntry[] {
  return (list ?? []).flatMap((i) => (i.value ? [token(i.system, i.value)] : []));
}

export function strings(values: readonly (string | undefined)[]): IndexEntry[] {
  return values.flatMap((value) => (value && value.trim() ? [{ kind: 'string' as const, value }] : []));
}

export function nameParts(name: HumanName): (string | undefined)[] {
  return [name.family, ...(name.given ?? []), ...(name.prefix ?? []), ...(name.suffix ?? []), name.text];
}

export function dates(value: string | undefined): IndexEntry[] {
  const range = value === undefined ? undefined : parseDateRange(value);
  return range ? [{ kind: 'date', ...range }] : [];
}

/** `Patient/123`, `https://host/fhir/Patient/123` or `Patient/123/_history/2` → Patient, 123. */
export function parseReference(reference: string): { targetType?: string; targetId: string } | undefined {
  const parts = reference.split('/').filter((p) => p !== '');
  const history = parts.indexOf('_history');
  const path = history >= 0 ? parts.slice(0, history) : parts;
  const targetId = path[path.length - 1];
  if (!targetId || reference.startsWith('#') || reference.startsWith('urn:')) return undefined;
  const targetType = path[path.length - 2];
  return targetType && /^[A-Z][A-Za-z]+$/.test(targetType) ? { targetType, targetId } : { targetId };
}

export function references(list: readonly (Reference | undefined)[] | undefined): IndexEntry[] {
  return (list ?? []).flatMap((ref) => {
    const parsed = ref?.reference ? parseReference(ref.reference) : undefined;
    if (!parsed) return [];
    const targetType = parsed.targetType ?? ref?.type;
    return [{ kind: 'reference' as const, targetId: parsed.targetId, ...(targetType ? { targetType } : {}) }];
  });
}

/** Every coding of some CodeableConcepts, as tokens (system|code). */
export function concepts(list: readonly (CodeableConcept | undefined)[] | undefined): IndexEntry[] {
  return (list ?? []).flatMap((concept) =>
    (concept?.coding ?? []).flatMap((c) => (c.code ? [token(c.system, c.code)] : [])),
  );
}
