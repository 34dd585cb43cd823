import { createHash } from 'node:crypto';

const CACHE_LIMIT = 20_000;
const cache = new Map<string, string>();

/**
 * A deterministic FHIR id from business identifiers: the same inputs always give the same id, so a
 * replayed message updates a resource instead of duplicating it. 32 hex characters (128 bits of
 * SHA-256), a valid FHIR id; identifiers such as NHS numbers never appear in ids or URLs.
 * Recent results are remembered (organisations, wards and clinicians recur in every message).
 */
export function hashId(namespace: string, parts: readonly string[]): string {
  const input = `${namespace}\u001f${parts.join('\u001f')}`;
  const known = cache.get(input);
  if (known !== undefined) return known;
  const id = createHash('sha256').update(input).digest('hex').slice(0, 32);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(input, id);
  return id;
}
