import type { Resource } from '@medplum/fhirtypes';
import { extractIndexEntries, type IndexEntry } from './search-params.js';
import { foldForSearch } from './text-normalise.js';

/**
 * One search_index row: resource_type, resource_id, param, kind, system, value, exact, range_start, range_end.
 * See schema-v1.ts for what each kind keeps in which column.
 */
export type SearchIndexRow = [string, string, string, string, string | null, string | null, string | null, string | null, string | null];

/** The search_index rows of one resource's current version, without repeats. */
export function searchIndexRows(resource: Resource & { id: string }): SearchIndexRow[] {
  return dedupe(extractIndexEntries(resource).map(({ param, entry }) => toRow(resource, param, entry)));
}

function toRow(resource: Resource & { id: string }, param: string, entry: IndexEntry): SearchIndexRow {
  const owner = [resource.resourceType, resource.id, param, entry.kind] as const;
  switch (entry.kind) {
    case 'token':
      return [...owner, entry.system ?? null, entry.code, null, null, null];
    case 'string':
      return [...owner, null, foldForSearch(entry.value), entry.value, null, null];
    case 'reference':
      return [...owner, entry.targetType ?? null, entry.targetId, null, null, null];
    case 'date':
      return [...owner, null, null, null, entry.start, entry.end];
  }
}

function dedupe(rows: SearchIndexRow[]): SearchIndexRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = row.map((value) => value ?? '\u0001').join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
