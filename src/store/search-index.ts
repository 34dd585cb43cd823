import type { Resource } from '@medplum/fhirtypes';
import { extractIndexEntries, type IndexEntry } from './search-params.js';
import type { SqlExecutor } from './sql.js';
import { foldForSearch } from './text-normalise.js';

const COLUMNS = 9;
/** rows per INSERT, well under PostgreSQL's 65 535 parameters */
const ROWS_PER_INSERT = 500;

/** Replace the search_index rows of one resource with those of its new current version. */
export async function rebuildSearchIndex(tx: SqlExecutor, resource: Resource & { id: string }): Promise<void> {
  await tx.query('DELETE FROM search_index WHERE resource_type = $1 AND resource_id = $2', [
    resource.resourceType,
    resource.id,
  ]);
  const rows = dedupe(extractIndexEntries(resource).map(({ param, entry }) => toRow(resource, param, entry)));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const placeholders = chunk.map((_, r) => {
      const base = r * COLUMNS;
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8}::timestamptz, $${base + 9}::timestamptz)`;
    });
    await tx.query(
      `INSERT INTO search_index (resource_type, resource_id, param, kind, system, value, exact, range_start, range_end)
       VALUES ${placeholders.join(', ')}`,
      chunk.flat(),
    );
  }
}

type Row = [string, string, string, string, string | null, string | null, string | null, string | null, string | null];

function toRow(resource: Resource & { id: string }, param: string, entry: IndexEntry): Row {
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

function dedupe(rows: Row[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = JSON.stringify(row);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
