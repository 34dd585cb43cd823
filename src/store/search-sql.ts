import { StoreError } from './errors.js';
import { requireDateRange, type DateRange } from './fhir-date-range.js';
import { getSearchParameter, parseReference, type SearchParameterDefinition } from './search-params.js';
import { afterCursorSql, decodeCursor, orderBySql } from './cursor.js';
import { DEFAULT_SORT, sortColumns, sortSignature } from './search-sort.js';
import { escapeLike, foldForSearch } from './text-normalise.js';
import type { DatePrefix, SearchCriterion, SearchQuery, SearchValue } from './types.js';

export interface BuiltQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface BuiltSearch extends BuiltQuery {
  /** what a cursor for this search is issued for (its sort order) */
  readonly signature: string;
}

/** Collects parameter values; SQL text only ever holds `$n` placeholders for input. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/**
 * One statement returning one row: `total` (every match) and `rows` (the page: up to count + 1 resources,
 * the extra one only telling the caller there is a next page, each with its sort key values as text).
 * Values of one criterion are ORed; criteria are ANDed. The order is the query's sort (default newest
 * first), always ending with the id, so it is total and deterministic; a cursor continues after the row it
 * names (keyset paging), so rows inserted or updated meanwhile never shift a later page.
 */
export function buildSearchQuery(resourceType: string, query: SearchQuery, now: Date): BuiltSearch {
  checkPaging(query);
  const params = new Params();
  const type = params.add(resourceType);
  const conditions = query.criteria.map((criterion) => criterionSql(resourceType, type, criterion, params, now));
  const where = [`r.resource_type = ${type}`, ...conditions].join('\n    AND ');
  const sort = query.sort !== undefined && query.sort.length > 0 ? query.sort : DEFAULT_SORT;
  const signature = sortSignature(resourceType, sort);
  const columns = sortColumns(resourceType, sort, type, (value) => params.add(value));
  const keyed = ['m.id', ...columns.slice(0, -1).map((c, i) => `${c.compute} AS k${i}`)].join(', ');
  const after =
    query.cursor === undefined
      ? ''
      : `WHERE ${afterCursorSql(columns, decodeCursor(query.cursor, signature, columns.length), (v, cast) => params.add(v, cast))}`;
  const order = orderBySql(columns);
  const keys = columns.map((c) => `${c.expr}::text`).join(', ');
  const limit = params.add(query.count, '::integer');
  const offset = params.add(query.offset, '::integer');
  const sql = `WITH matched AS (
  SELECT r.id, r.last_updated FROM resources r
  WHERE ${where}
), page AS (
  SELECT k.*, jsonb_build_array(${keys}) AS keys, row_number() OVER (ORDER BY ${order}) AS n
    FROM (SELECT ${keyed} FROM matched m) k
    ${after}
   ORDER BY ${order} LIMIT ${limit} + 1 OFFSET ${offset}
)
SELECT (SELECT count(*) FROM matched)::integer AS total,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('resource', r.content, 'keys', page.keys) ORDER BY page.n), '[]'::jsonb)
          FROM page JOIN resources r ON r.resource_type = ${type} AND r.id = page.id) AS rows`;
  return { sql, params: params.values, signature };
}

function checkPaging(query: SearchQuery): void {
  for (const [name, value] of [
    ['count', query.count],
    ['offset', query.offset],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new StoreError(`Search ${name} must be a whole number of 0 or more, not ${String(value)}.`, 'invalid-paging');
    }
  }
}

function criterionSql(
  resourceType: string,
  type: string,
  criterion: SearchCriterion,
  params: Params,
  now: Date,
): string {
  const definition = getSearchParameter(resourceType, criterion.param);
  if (!definition) {
    throw new StoreError(
      `Search parameter "${criterion.param}" is not supported for ${resourceType}; the API should have rejected it.`,
      'unknown-search-parameter',
    );
  }
  if (criterion.values.length === 0) {
    throw new StoreError(`Search parameter "${criterion.param}" was given no values.`, 'empty-search-criterion');
  }
  if (criterion.param === '_id') return idSql(criterion, params);
  if (criterion.param === '_lastUpdated') return lastUpdatedSql(criterion, params, now);
  const alternatives = criterion.values.map((value) => {
    if (value.type !== definition.type) {
      throw new StoreError(
        `Search parameter "${criterion.param}" is a ${definition.type} parameter but was given a ${value.type} value.`,
        'search-type-mismatch',
      );
    }
    return `(${valueSql(criterion.param, definition, value, params, now)})`;
  });
  return `r.id IN (SELECT s.resource_id FROM search_index s
      WHERE s.resource_type = ${type} AND s.param = ${params.add(definition.storedAs?.param ?? criterion.param)}
        AND (${alternatives.join(' OR ')}))`;
}

/** `_id` straight on the primary key. */
function idSql(criterion: SearchCriterion, params: Params): string {
  const ids = criterion.values.map((value) => {
    if (value.type !== 'token') {
      throw new StoreError(`Search parameter "_id" is a token parameter but was given a ${value.type} value.`, 'search-type-mismatch');
    }
    return params.add(value.code);
  });
  return `r.id IN (${ids.join(', ')})`;
}

/**
 * `_lastUpdated` straight on the resource row: last_updated is an instant to the millisecond (meta.lastUpdated),
 * so its range is [last_updated, last_updated + 1 ms).
 */
function lastUpdatedSql(criterion: SearchCriterion, params: Params, now: Date): string {
  const alternatives = criterion.values.map((value) => {
    if (value.type !== 'date') {
      throw new StoreError(`Search parameter "_lastUpdated" is a date parameter but was given a ${value.type} value.`, 'search-type-mismatch');
    }
    const range = { start: 'r.last_updated', end: `(r.last_updated + interval '1 millisecond')`, kind: '' };
    return `(${dateSql(value.prefix, requireDateRange(value.value, '_lastUpdated'), params, now, range)})`;
  });
  return `(${alternatives.join(' OR ')})`;
}

function valueSql(param: string, def: SearchParameterDefinition, value: SearchValue, params: Params, now: Date): string {
  switch (value.type) {
    case 'token':
      return tokenSql(value.system, value.code, params);
    case 'string':
      // the folded value is the index key; the text as written must then match exactly
      return value.exact
        ? `s.kind = 'string' AND s.value = ${params.add(foldForSearch(value.value))} AND s.exact = ${params.add(value.value)}`
        : `s.kind = 'string' AND s.value LIKE ${params.add(`${escapeLike(foldForSearch(value.value))}%`)}`;
    case 'reference':
      return referenceSql(param, def, value.reference, params);
    case 'date':
      return dateSql(value.prefix, requireDateRange(value.value, param), params, now);
  }
}

/** `system|code`; `code` (any system); `system|` (any code in that system); `|code` (no system). */
function tokenSql(system: string | undefined, code: string, params: Params): string {
  if (system === undefined) return `s.value = ${params.add(code)}`;
  if (system === '') return `s.system IS NULL AND s.value = ${params.add(code)}`;
  if (code === '') return `s.kind = 'token' AND s.system = ${params.add(system)}`;
  return `s.value = ${params.add(code)} AND s.system = ${params.add(system)}`;
}

function referenceSql(param: string, def: SearchParameterDefinition, reference: string, params: Params): string {
  const parsed = parseReference(reference);
  if (!parsed) {
    throw new StoreError(
      `Search parameter "${param}": "${reference}" is not a reference; use Type/id (e.g. Patient/123) or an id.`,
      'invalid-reference',
    );
  }
  const targetType = parsed.targetType ?? (def.targets?.length === 1 ? def.targets[0] : undefined);
  // a parameter kept in another's rows holds only that parameter's references to its one target type
  if (def.storedAs !== undefined && targetType !== undefined && targetType !== def.storedAs.targetType) return 'FALSE';
  const system = def.storedAs?.targetType ?? targetType;
  const id = `s.value = ${params.add(parsed.targetId)}`;
  return system ? `${id} AND s.system = ${params.add(system)}` : id;
}

/** Where a date parameter's range is: search_index date rows, unless given (`_lastUpdated`). */
const INDEX_RANGE = { start: 's.range_start', end: 's.range_end', kind: `s.kind = 'date' AND ` };

/**
 * FHIR date comparison of the resource's range [rs, re) with the search value's implicit range [qs, qe).
 */
function dateSql(prefix: DatePrefix, query: DateRange, params: Params, now: Date, range = INDEX_RANGE): string {
  const rs = range.start;
  const re = range.end;
  const kind = range.kind;
  const qs = () => params.add(query.start, '::timestamptz');
  const qe = () => params.add(query.end, '::timestamptz');
  switch (prefix) {
    case 'eq':
      return `${kind}${rs} >= ${qs()} AND ${re} <= ${qe()}`;
    case 'ne':
      return `${kind}NOT (${rs} >= ${qs()} AND ${re} <= ${qe()})`;
    case 'lt':
      return `${kind}${rs} < ${qs()}`;
    case 'gt':
      return `${kind}${re} > ${qe()}`;
    case 'le':
      return `${kind}(${rs} < ${qs()} OR ${re} <= ${qe()})`;
    case 'ge':
      return `${kind}(${re} > ${qe()} OR ${rs} >= ${qs()})`;
    case 'sa':
      return `${kind}${rs} >= ${qe()}`;
    case 'eb':
      return `${kind}${re} <= ${qs()}`;
    case 'ap': {
      const widened = approximately(query, now);
      return `${kind}${rs} < ${params.add(widened.end, '::timestamptz')} AND ${re} > ${params.add(widened.start, '::timestamptz')}`;
    }
  }
}

/** `ap`: the value's range widened on each side by 10% of the time between it and now (at least a day). */
function approximately(range: DateRange, now: Date): DateRange {
  const start = Date.parse(range.start);
  const end = Date.parse(range.end);
  const gap = Math.max(Math.abs(now.getTime() - start), Math.abs(now.getTime() - end));
  const margin = Math.max(gap * 0.1, 86_400_000);
  return { start: new Date(start - margin).toISOString(), end: new Date(end + margin).toISOString() };
}
