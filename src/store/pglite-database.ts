import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { StoreError } from './errors.js';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sql.js';

/**
 * PGlite (PostgreSQL in WebAssembly) as the embedded database: one in-process connection.
 *
 * Serialisation: PGlite guards `query`, `exec` and `transaction` with one transaction mutex, so a `query`
 * issued from another async path while a transaction is open waits until that transaction has ended
 * (it never runs inside it). The flip side is that calling `db.query` from *inside* the transaction
 * callback would wait for itself forever; that mistake is detected here and reported instead.
 *
 * Durability: `relaxedDurability` is false (the file-system sync is awaited) and `synchronous_commit` is on,
 * so when `transaction()` resolves the commit record has been written to the WAL files in `dataDir`
 * (the OS holds it; a killed process loses nothing). PGlite's Node file system has no fsync, so an
 * operating-system crash or power loss may still lose the newest commits.
 */
export async function openEmbeddedDatabase(dataDir: string | undefined): Promise<SqlDatabase> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create({
    ...(dataDir !== undefined ? { dataDir } : {}),
    relaxedDurability: false,
  });
  await pg.query('SET synchronous_commit TO on');
  return new EmbeddedDatabase(pg);
}

/** Marks the async path that is running inside a transaction callback. */
const insideTransaction = new AsyncLocalStorage<{ readonly database: EmbeddedDatabase }>();

class EmbeddedDatabase implements SqlDatabase {
  readonly kind = 'embedded' as const;

  constructor(private readonly pg: PGlite) {}

  async query<R extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []) {
    this.refuseInsideTransaction('db.query()');
    return toResult<R>(await this.pg.query<R>(sql, [...params]));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.refuseInsideTransaction('db.transaction()');
    const result = await this.pg.transaction((tx) =>
      insideTransaction.run({ database: this }, () => fn(new TransactionExecutor(tx))),
    );
    // PGlite skips its file-system sync while a transaction is open (COMMIT included); sync now so the
    // promise resolves only once the committed state is on the file system.
    await this.pg.syncToFs();
    return result;
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }

  private refuseInsideTransaction(what: string): void {
    if (insideTransaction.getStore()?.database === this) {
      throw new StoreError(
        `${what} was called inside db.transaction() on the embedded database; it would wait for the ` +
          'transaction forever. Use the executor passed to the transaction callback instead.',
        'nested-query',
      );
    }
  }
}

class TransactionExecutor implements SqlExecutor {
  constructor(private readonly tx: Transaction) {}

  async query<R extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []) {
    return toResult<R>(await this.tx.query<R>(sql, [...params]));
  }
}

function toResult<R>(results: { rows: R[]; affectedRows?: number }): { rows: R[]; rowCount: number } {
  return { rows: results.rows, rowCount: results.affectedRows || results.rows.length };
}
