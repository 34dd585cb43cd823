import type { Coding, Meta, Resource } from '@medplum/fhirtypes';

/**
 * Keep listed top-level elements from the version the store holds: when the held version has the element,
 * its value wins; when it lacks it, the mapped value stays.
 */
export function applyPreserve(mapped: Resource, held: Resource | undefined, elements: readonly string[]): Resource {
  if (!held || elements.length === 0) return mapped;
  const result: Record<string, unknown> = { ...mapped };
  const heldFields = held as unknown as Record<string, unknown>;
  for (const element of elements) {
    if (element === 'resourceType' || element === 'id' || element === 'meta') continue;
    if (Object.hasOwn(heldFields, element) && heldFields[element] !== undefined) result[element] = heldFields[element];
  }
  return result as unknown as Resource;
}

/**
 * The meta of the next version: the mapped meta, with security labels and tags accumulated from the held
 * version, the mapped resource and the mapping's label rules (labels are never silently dropped).
 */
export function mergeMeta(mapped: Meta | undefined, held: Meta | undefined, labels: readonly Coding[]): Meta {
  const meta: Meta = { ...(mapped ?? {}) };
  delete meta.versionId;
  delete meta.lastUpdated;
  const security = unionCodings(held?.security, mapped?.security, labels);
  const tag = unionCodings(held?.tag, mapped?.tag);
  if (security.length > 0) meta.security = security;
  else delete meta.security;
  if (tag.length > 0) meta.tag = tag;
  else delete meta.tag;
  return meta;
}

function unionCodings(...lists: (readonly Coding[] | undefined)[]): Coding[] {
  const seen = new Set<string>();
  const result: Coding[] = [];
  for (const coding of lists.flatMap((list) => list ?? [])) {
    const key = `${coding.system ?? ''}|${coding.code ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(coding);
  }
  return result;
}

/**
 * Whether two versions say the same thing: equal content, ignoring meta.versionId, meta.lastUpdated and
 * meta.source (which change with every write). Security labels, tags and profiles do count.
 */
export function sameContent(a: Resource, b: Resource): boolean {
  return comparable(a) === comparable(b);
}

/**
 * Canonical text of stored versions, by object: a batch compares the same held version (a hospital's
 * Organization) with every message that re-sends it. Stored versions are never mutated, so this stays true.
 */
const comparableCache = new WeakMap<Resource, string>();

function comparable(resource: Resource): string {
  let text = comparableCache.get(resource);
  if (text === undefined) {
    text = canonicalJson(withoutVersionMeta(resource));
    comparableCache.set(resource, text);
  }
  return text;
}

function withoutVersionMeta(resource: Resource): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...resource };
  if (resource.meta) {
    const meta: Record<string, unknown> = { ...resource.meta };
    delete meta['versionId'];
    delete meta['lastUpdated'];
    delete meta['source'];
    if (Object.keys(meta).length > 0) copy['meta'] = meta;
    else delete copy['meta'];
  }
  return copy;
}

/** JSON with object keys sorted and undefined members dropped, so jsonb round trips compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
