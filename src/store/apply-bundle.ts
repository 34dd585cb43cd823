import type { BundleEntry, Coding, Resource } from '@medplum/fhirtypes';
import { StoreError } from './errors.js';
import { applyPreserve, mergeMeta, sameContent } from './resource-content.js';
import { rebuildSearchIndex } from './search-index.js';
import type { SqlExecutor } from './sql.js';
import type { ApplyInput, ResourceVersionRef } from './types.js';

type StoredResource = Resource & { id: string };

interface PlannedWrite {
  readonly index: number;
  readonly resource: StoredResource;
  readonly preserve: readonly string[];
  readonly labels: readonly Coding[];
}

/**
 * Write every entry of a mapped bundle inside the caller's transaction; returns one version per entry, in
 * bundle order. Rows are locked in (type, id) order so two messages touching the same resources cannot
 * deadlock each other.
 */
export async function applyBundle(
  tx: SqlExecutor,
  input: ApplyInput,
  messageId: string,
  now: () => Date,
): Promise<ResourceVersionRef[]> {
  const writes = (input.bundle.entry ?? []).map((entry, index) => planWrite(entry, index, input));
  const lockOrder = [...writes].sort(
    (a, b) => compare(a.resource.resourceType, b.resource.resourceType) || compare(a.resource.id, b.resource.id),
  );
  const versions: ResourceVersionRef[] = new Array<ResourceVersionRef>(writes.length);
  for (const write of lockOrder) versions[write.index] = await writeResource(tx, write, messageId, now);
  return versions;
}

function planWrite(entry: BundleEntry, index: number, input: ApplyInput): PlannedWrite {
  const where = `bundle entry ${index} of message ${input.source.controlId} (${input.source.messageType})`;
  const resource = entry.resource;
  if (!resource?.resourceType || !resource.id) {
    throw new StoreError(`${where} has no resource with a resourceType and id; the mapping must give every resource a deterministic id.`, 'invalid-bundle-entry');
  }
  const method = entry.request?.method ?? 'PUT';
  const expectedUrl = `${resource.resourceType}/${resource.id}`;
  if (method !== 'PUT' || (entry.request?.url !== undefined && entry.request.url !== expectedUrl)) {
    throw new StoreError(
      `${where} is ${method} ${entry.request?.url ?? ''}; the store applies only PUT ${expectedUrl} entries.`,
      'invalid-bundle-entry',
    );
  }
  const matches = (rule: { resourceType: string; id: string }) =>
    rule.resourceType === resource.resourceType && rule.id === resource.id;
  return {
    index,
    resource: resource as StoredResource,
    preserve: input.preserve.filter(matches).flatMap((rule) => rule.elements),
    labels: input.labels.filter(matches).map((label) => ({ system: label.system, code: label.code })),
  };
}

async function writeResource(
  tx: SqlExecutor,
  write: PlannedWrite,
  messageId: string,
  now: () => Date,
): Promise<ResourceVersionRef> {
  const { resourceType, id } = write.resource;
  // A first version can race with another transaction creating the same resource: the loser's INSERT waits,
  // does nothing, and the next pass locks and updates the winner's row.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows } = await tx.query<{ version_id: number; content: StoredResource }>(
      'SELECT version_id, content FROM resources WHERE resource_type = $1 AND id = $2 FOR UPDATE',
      [resourceType, id],
    );
    const held = rows[0];
    const next = nextVersion(write, held?.content);
    if (held && sameContent(next, held.content)) {
      return { resourceType, id, versionId: String(held.version_id), changed: false };
    }
    const versionId = held ? Number(held.version_id) + 1 : 1;
    const lastUpdated = now().toISOString();
    const stored = { ...next, meta: { versionId: String(versionId), lastUpdated, ...next.meta } } as StoredResource;
    const content = JSON.stringify(stored);
    if (held) {
      await tx.query(
        `UPDATE resources SET version_id = $3, last_updated = $4::timestamptz, content = $5::jsonb
          WHERE resource_type = $1 AND id = $2`,
        [resourceType, id, versionId, lastUpdated, content],
      );
    } else {
      const inserted = await tx.query(
        `INSERT INTO resources (resource_type, id, version_id, last_updated, content)
         VALUES ($1, $2, 1, $3::timestamptz, $4::jsonb) ON CONFLICT (resource_type, id) DO NOTHING`,
        [resourceType, id, lastUpdated, content],
      );
      if (inserted.rowCount === 0) continue;
    }
    await tx.query(
      `INSERT INTO resource_history (resource_type, id, version_id, last_updated, content, message_id)
       VALUES ($1, $2, $3, $4::timestamptz, $5::jsonb, $6::uuid)`,
      [resourceType, id, versionId, lastUpdated, content, messageId],
    );
    await rebuildSearchIndex(tx, stored);
    return { resourceType, id, versionId: String(versionId), changed: true };
  }
  throw new StoreError(`Could not create or lock ${resourceType}/${id}; retry the message.`, 'write-conflict');
}

/** The mapped resource with preserved elements and accumulated labels applied, before versioning. */
function nextVersion(write: PlannedWrite, held: StoredResource | undefined): StoredResource {
  const preserved = applyPreserve(write.resource, held, write.preserve) as StoredResource;
  const meta = mergeMeta(preserved.meta, held?.meta, write.labels);
  const next: StoredResource = { ...preserved };
  if (Object.keys(meta).length > 0) next.meta = meta;
  else delete next.meta;
  return next;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
