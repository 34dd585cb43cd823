import type { Resource } from '@medplum/fhirtypes';
import { afterCursorSql, type CursorKeys, decodeCursor, encodeCursor, type KeyColumn, orderBySql } from './cursor.js';
import { StoreError } from './errors.js';
import type { SqlExecutor } from './sql.js';
import type { HistoryEntry, HistoryQuery, HistoryResult } from './types.js';

/** Instance history: newest version first. Type history: newest write first, then id, then version. */
const INSTANCE_ORDER: readonly KeyColumn[] = [{ expr: 'h.version_id', descending: true, sqlType: 'integer' }];
const TYPE_ORDER: readonly KeyColumn[] = [
  { expr: 'h.last_updated', descending: true, sqlType: 'timestamptz' },
  { expr: 'h.id', descending: false, sqlType: 'text' },
  { expr: 'h.version_id', descending: true, sqlType: 'integer' },
];

interface HistoryRow {
  [column: string]: unknown;
  content: Resource;
  version_id: number;
  last_updated: string;
  keys: CursorKeys;
}

/**
 * Versions of one resource (`id` given) or of every resource of a type, newest first, `_since` inclusive.
 * History only grows, and new versions sort first, so cursor paging never skips or repeats a version.
 */
export async function readHistory(
  db: SqlExecutor,
  resourceType: string,
  id: string | undefined,
  query: HistoryQuery,
): Promise<HistoryResult> {
  if (!Number.isSafeInteger(query.count) || query.count < 0) {
    throw new StoreError(`History count must be a whole number of 0 or more, not ${String(query.count)}.`, 'invalid-paging');
  }
  const values: unknown[] = [resourceType];
  const param = (value: unknown, cast = '') => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  const filters = ['h.resource_type = $1'];
  if (id !== undefined) filters.push(`h.id = ${param(id)}`);
  if (query.since !== undefined) filters.push(`h.last_updated >= ${param(query.since, '::timestamptz')}`);
  const totalSql = `SELECT count(*)::integer AS total FROM resource_history h WHERE ${filters.join(' AND ')}`;
  const total = Number((await db.query<{ total: number }>(totalSql, [...values])).rows[0]?.total ?? 0);

  const order = id === undefined ? TYPE_ORDER : INSTANCE_ORDER;
  const signature = `history:${resourceType}${id === undefined ? '' : `/${id}`}`;
  if (query.cursor !== undefined) {
    filters.push(afterCursorSql(order, decodeCursor(query.cursor, signature, order.length), param));
  }
  const { rows } = await db.query<HistoryRow>(
    `SELECT h.content, h.version_id, h.last_updated::text AS last_updated,
            jsonb_build_array(${order.map((c) => `${c.expr}::text`).join(', ')}) AS keys
       FROM resource_history h
      WHERE ${filters.join(' AND ')}
      ORDER BY ${orderBySql(order)}
      LIMIT ${param(query.count, '::integer')} + 1`,
    values,
  );
  const shown = rows.slice(0, query.count);
  const last = shown.at(-1);
  return {
    total,
    entries: shown.map(toEntry),
    ...(rows.length > query.count && last !== undefined ? { nextCursor: encodeCursor(signature, last.keys) } : {}),
  };
}

function toEntry(row: HistoryRow): HistoryEntry {
  return {
    resource: row.content,
    versionId: String(row.version_id),
    lastUpdated: row.content.meta?.lastUpdated ?? new Date(row.last_updated).toISOString(),
  };
}
