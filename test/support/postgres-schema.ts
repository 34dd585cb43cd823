import { openPostgresDatabase } from '../../src/store/postgres-database.js';

/** A fresh, unique schema name for one test run on PostgreSQL. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = await openPostgresDatabase(url, { poolSize: 1 });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.close();
  }
}
