import { createHash } from 'node:crypto';
import pg from 'pg';
import { StoreError } from './errors.js';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sql.js';

export interface PostgresOptions {
  /** schema to use (created if missing); every pooled connection gets `search_path` set to it */
  readonly schema?: string;
  /** maximum pooled connections (default 10) */
  readonly poolSize?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** PostgreSQL server through a `pg` connection pool. */
export async function openPostgresDatabase(url: string, options: PostgresOptions = {}): Promise<SqlDatabase> {
  const { schema, poolSize = 10 } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      `PostgreSQL schema name "${schema}" is not allowed: use letters, digits and underscores, starting with a letter or underscore (at most 63).`,
      'invalid-schema-name',
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // The server applies this at connection start-up, so no query can ever run with another search_path.
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = new ServerDatabase(pool);
  try {
    if (schema !== undefined) await createSchema(db, schema);
    else await db.query('SELECT 1');
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** CREATE SCHEMA IF NOT EXISTS races with itself across processes, so take a lock on the name first. */
async function createSchema(db: SqlDatabase, schema: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('junction_schema:' || $1::text))`, [schema]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  });
}

/**
 * Statements with parameters run as named prepared statements, so PostgreSQL plans each once per
 * connection instead of on every call (planning is about half the server time of an apply). Only a
 * bounded number of distinct texts is named, so dynamically built SQL cannot grow the cache forever.
 */
const MAX_PREPARED = 512;
const preparedNames = new Map<string, string>();

function queryConfig(sql: string, params: readonly unknown[]): pg.QueryConfig {
  if (params.length === 0) return { text: sql };
  let name = preparedNames.get(sql);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `junction_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    preparedNames.set(sql, name);
  }
  return name === undefined ? { text: sql, values: [...params] } : { name, text: sql, values: [...params] };
}

class ServerDatabase implements SqlDatabase {
  readonly kind = 'server' as const;
  private closed = false;

  constructor(private readonly pool: pg.Pool) {}

  async query<R extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []) {
    return toResult<R>(await this.pool.query<R>(queryConfig(sql, params)));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let released = false;
    try {
      await client.query('BEGIN');
      const result = await fn(new ClientExecutor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: destroy it rather than return it to the pool.
        client.release(rollbackError instanceof Error ? rollbackError : true);
        released = true;
      }
      throw error;
    } finally {
      if (!released) client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

class ClientExecutor implements SqlExecutor {
  constructor(private readonly client: pg.PoolClient) {}

  async query<R extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []) {
    return toResult<R>(await this.client.query<R>(queryConfig(sql, params)));
  }
}

function toResult<R>(result: { rows: R[]; rowCount: number | null }): { rows: R[]; rowCount: number } {
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}
