import type { Resource } from '@medplum/fhirtypes';
import { type CursorKeys, encodeCursor } from './cursor.js';
import { loadIncluded } from './include.js';
import { buildSearchQuery } from './search-sql.js';
import type { SqlExecutor } from './sql.js';
import type { SearchQuery, SearchResult } from './types.js';

interface PageRow {
  readonly resource: Resource;
  readonly keys: CursorKeys;
}

/** Run a search: the page, its total, the cursor of the next page and any `_include`d resources. */
export async function runSearch(db: SqlExecutor, resourceType: string, query: SearchQuery, now: Date): Promise<SearchResult> {
  const { sql, params, signature } = buildSearchQuery(resourceType, query, now);
  const { rows } = await db.query<{ total: number; rows: PageRow[] }>(sql, params);
  const total = Number(rows[0]?.total ?? 0);
  const page = rows[0]?.rows ?? [];
  const shown = page.slice(0, query.count);
  const last = shown.at(-1);
  const resources = shown.map((row) => row.resource);
  const included = await loadIncluded(db, resourceType, resources, query.include ?? []);
  return {
    total,
    resources,
    ...(included.length > 0 ? { included } : {}),
    ...(page.length > query.count && last !== undefined ? { nextCursor: encodeCursor(signature, last.keys) } : {}),
  };
}
