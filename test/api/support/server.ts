import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resource } from '@medplum/fhirtypes';
import { type ApiDeps, createApiApp } from '../../../src/api/app.js';
import { testCatalog } from './catalog.js';
import { FakeRecordStore } from './fake-store.js';

export interface RunningApi {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly store: FakeRecordStore;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Start the API on an ephemeral port over real HTTP. */
export async function startApi(
  resources: Resource[] = [],
  overrides: Partial<ApiDeps> = {},
): Promise<RunningApi> {
  const store = new FakeRecordStore(resources);
  const app = createApiApp({
    store,
    searchParameters: testCatalog,
    health: async () => ({ ok: true, checks: { store: 'ok' } }),
    ...overrides,
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    store,
    fetch: (path, init) => fetch(`${origin}${path}`, init),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export async function json(response: Response): Promise<Record<string, any>> {
  return (await response.json()) as Record<string, any>;
}
