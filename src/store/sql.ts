/**
 * The one SQL seam shared by the embedded (PGlite) and server (pg) databases.
 * Everything above this speaks PostgreSQL SQL with `$1` parameters; nothing builds SQL from input.
 */
export interface SqlRow {
  [column: string]: unknown;
}

export interface SqlExecutor {
  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Run `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on throw). Resolves after COMMIT is durable. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** `embedded` (PGlite, one in-process connection) or `server` (pg pool) */
  readonly kind: 'embedded' | 'server';
  close(): Promise<void>;
}
