import type { RecordStore } from '../store/types.js';
import { quote } from './outcomes.js';

/**
 * Admin endpoints: plain JSON for integration engineers, not FHIR.
 * These answers carry raw messages (patient data): the engine guards /admin with JUNCTION_ADMIN_TOKEN
 * when one is set; without it, bind Junction to a trusted network only. Per-user authentication and
 * audit of admin reads are still to come.
 */

export interface JsonResult {
  readonly status: number;
  readonly body: unknown;
}

/** GET /admin/messages/:id — one message log entry: raw message, status, mapped bundle, versions, error. */
export async function messageLogEntry(store: RecordStore, id: string, fhirBaseUrl: string): Promise<JsonResult> {
  const entry = await store.getMessage(id);
  if (entry === undefined) {
    return {
      status: 404,
      body: {
        error: 'not-found',
        message: `No message ${quote(id)} in the message log; message ids are the UUIDs the engine gives each message it receives.`,
      },
    };
  }
  return {
    status: 200,
    body: {
      ...entry,
      versions: entry.versions.map((version) => ({
        ...version,
        url: `${fhirBaseUrl}/${version.resourceType}/${version.id}/_history/${version.versionId}`,
      })),
    },
  };
}

export function adminRouteNotFound(method: string, path: string): JsonResult {
  return { status: 404, body: { error: 'not-found', message: `No admin endpoint at ${method} ${quote(path)}` } };
}
