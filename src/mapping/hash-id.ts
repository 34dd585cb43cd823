import { hash } from 'node:crypto';

const CACHE_LIMIT = 20_000;
/** namespace → joined parts → id; the namespace is a resource type named in the mapping files */
const cache = new Map<string, Map<string, string>>();

const SEPARATOR = '\u001f';

/**
 * A deterministic FHIR id from business identifiers: the same inputs always give the same id, so a
 * replayed message updates a resource instead of duplicating it. 32 hex characters (128 bits of
 * SHA-256), a valid FHIR id; identifiers such as NHS numbers never appear in ids or URLs.
 * Recent results are remembered (organisations, wards and clinicians recur in every message).
 */
export function hashId(namespace: string, parts: readonly string[]): string {
  let known = cache.get(namespace);
  if (known === undefined) cache.set(namespace, (known = new Map()));
  const key = parts.length === 1 ? (parts[0] as string) : parts.join(SEPARATOR);
  const found = known.get(key);
  if (found !== undefined) return found;
  const id = hash('sha256', `${namespace}${SEPARATOR}${key}`, 'hex').slice(0, 32); // one call: no Hash object per id
  if (known.size >= CACHE_LIMIT) known.clear();
  known.set(key, id);
  return id;
}
