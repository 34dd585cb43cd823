import type { KeyColumn } from './cursor.js';
import { StoreError } from './errors.js';
import { getSearchParameter } from './search-params.js';
import type { SortKey } from './types.js';

/** What every search is ordered by when the query names no sort: newest first. */
export const DEFAULT_SORT: readonly SortKey[] = [{ param: '_lastUpdated', descending: true }];

/** A sort key as a column of the `keyed` rows: the SQL computing it over `m` (id, last_updated). */
export interface SortColumn extends KeyColumn {
  /** SQL computing the key for matched row `m`; may use the type parameter placeholder */
  readonly compute: string;
}

/**
 * The key columns of a sort, with the resource id last as the unique tiebreak (ascending, bytewise).
 * A parameter with several values sorts by its lowest value ascending and its highest descending
 * (for dates: earliest start, latest end); a resource without a value sorts last either way.
 */
export function sortColumns(
  resourceType: string,
  sort: readonly SortKey[],
  typeParam: string,
  param: (value: unknown) => string,
): SortColumn[] {
  const columns = sort.map((key, i): SortColumn => {
    const expr = `k.k${i}`;
    if (key.param === '_lastUpdated') return { expr, compute: 'm.last_updated', descending: key.descending, sqlType: 'timestamptz' };
    if (key.param === '_id') return { expr, compute: 'm.id', descending: key.descending, sqlType: 'text' };
    const definition = getSearchParameter(resourceType, key.param);
    if (!definition) {
      throw new StoreError(`Cannot sort ${resourceType} by "${key.param}": it is not a search parameter of ${resourceType}.`, 'invalid-sort');
    }
    if (definition.type === 'reference') {
      throw new StoreError(`Cannot sort by "${key.param}": reference parameters have no order.`, 'invalid-sort');
    }
    const aggregate = key.descending ? 'max' : 'min';
    const column = definition.type === 'date' ? (key.descending ? 's.range_end' : 's.range_start') : 's.value';
    const compute = `(SELECT ${aggregate}(${column}) FROM search_index s
        WHERE s.resource_type = ${typeParam} AND s.resource_id = m.id AND s.param = ${param(key.param)})`;
    return { expr, compute, descending: key.descending, sqlType: definition.type === 'date' ? 'timestamptz' : 'text' };
  });
  columns.push({ expr: 'k.id', compute: 'm.id', descending: false, sqlType: 'text' });
  return columns;
}

/** A stable text naming a sort, so a cursor issued for one order is refused by another. */
export function sortSignature(resourceType: string, sort: readonly SortKey[]): string {
  return `${resourceType}:${sort.map((k) => `${k.descending ? '-' : ''}${k.param}`).join(',')}`;
}
