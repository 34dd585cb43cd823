import type { SearchParamType } from '../store/types.js';

/** What the API needs to know about one search parameter. */
export interface SearchParameterDefinition {
  readonly type: SearchParamType;
  readonly description: string;
  /**
   * Resource types a reference parameter may point at. When there is exactly one, a bare id
   * (`location=abc`) is normalised to `Location/abc`. Optional: `patient` and `subject` are
   * always normalised to `Patient/<id>`.
   */
  readonly targets?: readonly string[];
}

/**
 * The search parameters the store can answer, per resource type. The API is given one by its
 * caller (the composition root wires the store's registry in), so it never imports the store's
 * registry itself.
 */
export interface SearchParameterCatalog {
  /** every parameter searchable on `resourceType` (including `_id`, `_lastUpdated`), or undefined */
  params(resourceType: string): Readonly<Record<string, SearchParameterDefinition>> | undefined;
}

/** Wraps a plain registry object (`{ Patient: { family: {...} } }`) as a catalog. */
export function catalogFromRecord(
  registry: Readonly<Record<string, Readonly<Record<string, SearchParameterDefinition>>>>,
): SearchParameterCatalog {
  return {
    params: (resourceType) =>
      Object.prototype.hasOwnProperty.call(registry, resourceType) ? registry[resourceType] : undefined,
  };
}
