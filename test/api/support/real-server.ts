import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../../src/api/app.js';
import { openEmbeddedDatabase } from '../../../src/store/pglite-database.js';
import { createRecordStore } from '../../../src/store/record-store.js';
import { searchParametersFor } from '../../../src/store/search-params.js';
import type { RecordStore } from '../../../src/store/types.js';

export interface RunningStoreApi {
  readonly origin: string;
  readonly store: RecordStore;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The API over the real store (PGlite in memory), on an ephemeral port. `now` is the store's clock. */
export async function startStoreApi(now?: () => Date): Promise<RunningStoreApi> {
  const db = await openEmbeddedDatabase(undefined);
  const store = await createRecordStore(db, now === undefined ? {} : { now });
  const app = createApiApp({
    store,
    searchParameters: { params: (resourceType) => searchParametersFor(resourceType) },
    health: async () => ({ ok: true, checks: { store: 'ok' } }),
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    store,
    fetch: (path, init) => fetch(`${origin}${path}`, init),
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      await db.close();
    },
  };
}
