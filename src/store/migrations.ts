import { StoreError } from './errors.js';
import { SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2_READ } from './schema-v2-read.js';
import { SCHEMA_V3_IDENTITY } from './schema-v3-identity.js';
import { SCHEMA_V4_WRITE } from './schema-v4-write.js';
import { SCHEMA_V5_INDEX } from './schema-v5-index.js';
import { SCHEMA_V6_COLLATION } from './schema-v6-collation.js';
import type { SqlDatabase, SqlExecutor } from './sql.js';

export interface Migration {
  /** 1, 2, 3 … in order, never reused */
  readonly version: number;
  readonly name: string;
  /** statements run in order in one transaction; one statement per string */
  readonly sql: readonly string[];
}

/** Append only: never edit a migration that has shipped, add the next version instead. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'record store', sql: SCHEMA_V1 },
  { version: 2, name: 'read-side indexes (type history)', sql: SCHEMA_V2_READ },
  { version: 3, name: 'master patient index, event order, references', sql: SCHEMA_V3_IDENTITY },
  { version: 4, name: 'write path: no foreign-key checks on index and reference rows', sql: SCHEMA_V4_WRITE },
  { version: 5, name: 'write path: fewer index rows and entries, no reference uniqueness check, lz4 message log', sql: SCHEMA_V5_INDEX },
  { version: 6, name: 'key columns in the C collation; patient answered from subject/target rows', sql: SCHEMA_V6_COLLATION },
];

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS junction_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Bring the schema up to date: each pending migration in its own transaction. On a server, a transaction
 * advisory lock (per schema) makes a second process starting at the same time wait, then see the work done.
 * Returns the versions applied now.
 */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const ran = await db.transaction(async (tx) => {
      const done = await lockAndReadApplied(db, tx);
      const unknown = done.filter((v) => v > newest);
      if (unknown.length > 0) {
        throw new StoreError(
          `The database schema is at version ${Math.max(...unknown)}, newer than this build of Junction knows ` +
            `(${newest}). Run a newer Junction against this database, or point it at another database.`,
          'schema-too-new',
        );
      }
      if (done.includes(migration.version)) return false;
      for (const statement of migration.sql) await tx.query(statement);
      await tx.query('INSERT INTO junction_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

async function lockAndReadApplied(db: SqlDatabase, tx: SqlExecutor): Promise<number[]> {
  if (db.kind === 'server') {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('junction_migrations:' || current_schema()))`);
  }
  await tx.query(CREATE_MIGRATIONS_TABLE);
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM junction_migrations');
  return rows.map((row) => Number(row.version));
}
