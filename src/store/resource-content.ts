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
 * meta.source (which change with every write). Security labels, tags and profiles do count. JSON equality:
 * key order does not matter, an undefined member is absent (as after a jsonb round trip) and an undefined
 * array item is null. Walks both values once, without building text, and stops at the first difference.
 */
export function sameContent(a: Resource, b: Resource): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  return sameMembers(x, y, 'meta') && sameJson(versionlessMeta(a.meta), versionlessMeta(b.meta));
}

const VERSION_META = new Set(['versionId', 'lastUpdated', 'source']);

/** meta without the members every write changes; undefined when nothing else is left. */
function versionlessMeta(meta: Meta | undefined): Record<string, unknown> | undefined {
  if (meta === undefined || meta === null) return undefined;
  const rest: Record<string, unknown> = {};
  let any = false;
  for (const [key, value] of Object.entries(meta)) {
    if (VERSION_META.has(key) || value === undefined) continue;
    rest[key] = value;
    any = true;
  }
  return any ? rest : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const arrays = Array.isArray(a);
  if (arrays !== Array.isArray(b)) return false;
  if (arrays) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i] ?? null, y[i] ?? null)) return false;
    return true;
  }
  return sameMembers(a as Record<string, unknown>, b as Record<string, unknown>);
}

/** The same defined members with the same values (`skip`: a member left out of the comparison). */
function sameMembers(x: Record<string, unknown>, y: Record<string, unknown>, skip?: string): boolean {
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key) || key === skip) continue;
    const value = x[key];
    if (value === undefined) continue;
    count++;
    if (!Object.hasOwn(y, key) || !sameJson(value, y[key])) return false;
  }
  for (const key in y) {
    if (Object.hasOwn(y, key) && key !== skip && y[key] !== undefined) count--;
  }
  return count === 0;
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
