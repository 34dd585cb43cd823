/** A SqlDatabase wrapper for tests: records every statement and can make chosen statements fail. */
import type { SqlDatabase, SqlExecutor, SqlRow } from '../../../src/store/sql.js';

export interface InstrumentedDatabase extends SqlDatabase {
  /** every statement sent through query(), in order */
  readonly statements: string[];
  /** make the next `times` statements matching `pattern` throw `error` */
  failNext(pattern: RegExp, times: number, error?: Error): void;
}

export function instrument(db: SqlDatabase): InstrumentedDatabase {
  const statements: string[] = [];
  let fault: { pattern: RegExp; remaining: number; error: Error } | null = null;
  return {
    kind: db.kind,
    statements,
    failNext(pattern, times, error = new Error('connection to the database was lost')) {
      fault = { pattern, remaining: times, error };
    },
    async query<R extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]) {
      statements.push(sql);
      if (fault && fault.remaining > 0 && fault.pattern.test(sql)) {
        fault.remaining--;
        throw fault.error;
      }
      return db.query<R>(sql, params);
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },
    close: () => db.close(),
  };
}
