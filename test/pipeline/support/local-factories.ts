/** Factories that build local transports over the real embedded database (PGlite), for the tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTransport, type LocalTransportOptions } from '../../../src/pipeline/local-transport.js';
import type { Transport } from '../../../src/pipeline/transport.js';
import { openEmbeddedDatabase } from '../../../src/store/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import type { TransportUnderTest } from '../transport.conformance.js';

export const TEST_TRANSPORT_OPTIONS: LocalTransportOptions = { pollIntervalMs: 50 };

export interface LocalUnderTest extends TransportUnderTest {
  /** the database the newest transport runs on */
  db(): SqlDatabase;
}

/**
 * In-memory PGlite. reopen() builds a new transport over the same database, as a restarted process
 * would over the same storage; the old transport is left as it was (abandoned, not closed).
 */
export async function inMemoryLocalTransport(options: LocalTransportOptions = TEST_TRANSPORT_OPTIONS): Promise<LocalUnderTest> {
  const db = await openEmbeddedDatabase(undefined);
  let transport = await createLocalTransport(db, options);
  return {
    transport,
    db: () => db,
    async reopen(): Promise<Transport> {
      transport = await createLocalTransport(db, options);
      return transport;
    },
    async cleanup(): Promise<void> {
      await transport.close();
      await db.close();
    },
  };
}

/**
 * PGlite on a temporary data directory. reopen() cuts the old process off — closes its database handle
 * without stopping its transport, as a crash would — then opens the directory again.
 */
export async function dataDirLocalTransport(options: LocalTransportOptions = TEST_TRANSPORT_OPTIONS): Promise<LocalUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-journal-'));
  // the abandoned transport's dispatcher meets a closed database: expected, so not reported
  const quiet: LocalTransportOptions = { onError: () => undefined, ...options };
  let db = await openEmbeddedDatabase(dir);
  let transport = await createLocalTransport(db, quiet);
  return {
    transport,
    db: () => db,
    async reopen(): Promise<Transport> {
      await db.close();
      db = await openEmbeddedDatabase(dir);
      transport = await createLocalTransport(db, quiet);
      return transport;
    },
    async cleanup(): Promise<void> {
      await transport.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
