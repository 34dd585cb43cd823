import { StoreError } from './errors.js';

/**
 * Keyset paging cursors: the sort key values of the last row of a page (text, or null when the row has no
 * value for a key), tagged with what the cursor was issued for so a cursor cannot be replayed against
 * another search order. Opaque to clients (base64url JSON); never trusted: every value reaches SQL as a
 * parameter, and a malformed cursor is a clear error.
 */
export type CursorKeys = readonly (string | null)[];

interface CursorBody {
  readonly v: 1;
  /** what the cursor is for, e.g. the sort order */
  readonly f: string;
  readonly k: CursorKeys;
}

const MAX_CURSOR = 4096;

export function encodeCursor(issuedFor: string, keys: CursorKeys): string {
  const body: CursorBody = { v: 1, f: issuedFor, k: keys };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The keys of a cursor issued for `issuedFor` with `keyCount` keys; throws `invalid-paging` otherwise. */
export function decodeCursor(token: string, issuedFor: string, keyCount: number): CursorKeys {
  const refuse = (why: string) =>
    new StoreError(`Paging cursor ${why}; follow the server's own next link, or start again from the first page.`, 'invalid-paging');
  if (token.length === 0 || token.length > MAX_CURSOR || !/^[A-Za-z0-9_-]+$/.test(token)) throw refuse('is not one this server issued');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not one this server issued');
  }
  const { v, f, k } = (body ?? {}) as Partial<CursorBody>;
  if (v !== 1 || typeof f !== 'string' || !Array.isArray(k)) throw refuse('is not one this server issued');
  if (f !== issuedFor) throw refuse('belongs to a different search order or query');
  if (k.length !== keyCount || !k.every((key) => key === null || (typeof key === 'string' && key.length <= 1024))) {
    throw refuse('is not one this server issued');
  }
  return k;
}

/** One column of a keyset order. `expr` is SQL over the row being paged; it must never contain input. */
export interface KeyColumn {
  readonly expr: string;
  readonly descending: boolean;
  /** SQL type the cursor's text value is cast to before comparing */
  readonly sqlType: 'text' | 'timestamptz' | 'integer';
}

/** `ORDER BY` text for the columns: NULLs last in both directions, text compared bytewise. */
export function orderBySql(columns: readonly KeyColumn[]): string {
  return columns.map((c) => `${c.expr}${c.sqlType === 'text' ? ' COLLATE "C"' : ''} ${c.descending ? 'DESC' : 'ASC'} NULLS LAST`).join(', ');
}

/**
 * The condition "this row comes after the cursor" in the order of `columns` (the last column must be
 * unique). Lexicographic: equal on every earlier key and after on this one; a NULL sorts after every value.
 */
export function afterCursorSql(columns: readonly KeyColumn[], keys: CursorKeys, param: (value: unknown, cast: string) => string): string {
  const alternatives: string[] = [];
  const equalSoFar: string[] = [];
  columns.forEach((column, i) => {
    const key = keys[i] ?? null;
    const expr = column.sqlType === 'text' ? `${column.expr} COLLATE "C"` : column.expr;
    if (key !== null) {
      const value = param(key, `::${column.sqlType}`);
      const after = `(${expr} ${column.descending ? '<' : '>'} ${value} OR ${expr} IS NULL)`;
      alternatives.push([...equalSoFar, after].join(' AND '));
      if (i < columns.length - 1) equalSoFar.push(`${expr} = ${param(key, `::${column.sqlType}`)}`);
    } else {
      // nothing sorts after NULL on this key; only later keys can place a row after the cursor
      equalSoFar.push(`${expr} IS NULL`);
    }
  });
  return alternatives.length === 0 ? 'false' : `(${alternatives.map((a) => `(${a})`).join(' OR ')})`;
}
