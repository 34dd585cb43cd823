import type { Resource } from '@medplum/fhirtypes';
import { StoreError } from './errors.js';
import { literalReferences } from './patient-content.js';
import { sameContent } from './resource-content.js';
import { rebuildSearchIndex } from './search-index.js';
import type { SqlExecutor } from './sql.js';
import type { ResourceVersionRef } from './types.js';

export type StoredResource = Resource & { id: string };

/** What every write of one apply shares. */
export interface WriteScope {
  readonly tx: SqlExecutor;
  readonly messageId: string;
  readonly now: () => Date;
}

/**
 * The content of the next version, from the held one (undefined when the resource is new). `heldIsNewer`:
 * the held version was set by a message with a later event time than this write's.
 */
export type NextContent = (held: StoredResource | undefined, heldIsNewer: boolean) => StoredResource;

export interface WrittenVersion extends ResourceVersionRef {
  /** the current content after the write */
  readonly content: StoredResource;
}

/**
 * Write the next version of one resource inside the caller's transaction: lock the row, compute the next
 * content, and write a version only when it differs from the held one. `eventTime` (ISO, or null when unknown
 * or when this write must not move it) is kept as the resource's event time when it is newer.
 */
export async function writeResource(
  scope: WriteScope,
  resourceType: string,
  id: string,
  eventTime: string | null,
  next: NextContent,
): Promise<WrittenVersion> {
  const { tx } = scope;
  // A first version can race with another transaction creating the same resource: the loser's INSERT waits,
  // does nothing, and the next pass locks and updates the winner's row.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows } = await tx.query<{ version_id: number; content: StoredResource; held_is_newer: boolean; moves_time: boolean }>(
      `SELECT version_id, content,
              COALESCE(event_time > $3::timestamptz, false) AS held_is_newer,
              COALESCE(event_time < $3::timestamptz, $3::timestamptz IS NOT NULL) AS moves_time
         FROM resources WHERE resource_type = $1 AND id = $2 FOR UPDATE`,
      [resourceType, id, eventTime],
    );
    const held = rows[0];
    const content = next(held?.content, held?.held_is_newer === true);
    if (held && sameContent(content, held.content)) {
      if (held.moves_time) {
        await tx.query('UPDATE resources SET event_time = $3::timestamptz WHERE resource_type = $1 AND id = $2', [
          resourceType,
          id,
          eventTime,
        ]);
      }
      return { resourceType, id, versionId: String(held.version_id), changed: false, content: held.content };
    }
    const versionId = held ? Number(held.version_id) + 1 : 1;
    const lastUpdated = scope.now().toISOString();
    const { versionId: _held, lastUpdated: _written, ...meta } = content.meta ?? {};
    const stored = { ...content, meta: { versionId: String(versionId), lastUpdated, ...meta } } as StoredResource;
    const json = JSON.stringify(stored);
    if (held) {
      await tx.query(
        `UPDATE resources SET version_id = $3, last_updated = $4::timestamptz, content = $5::jsonb,
                event_time = GREATEST(event_time, $6::timestamptz)
          WHERE resource_type = $1 AND id = $2`,
        [resourceType, id, versionId, lastUpdated, json, eventTime],
      );
    } else {
      const inserted = await tx.query(
        `INSERT INTO resources (resource_type, id, version_id, last_updated, content, event_time)
         VALUES ($1, $2, 1, $3::timestamptz, $4::jsonb, $5::timestamptz) ON CONFLICT (resource_type, id) DO NOTHING`,
        [resourceType, id, lastUpdated, json, eventTime],
      );
      if (inserted.rowCount === 0) continue;
    }
    await tx.query(
      `INSERT INTO resource_history (resource_type, id, version_id, last_updated, content, message_id)
       VALUES ($1, $2, $3, $4::timestamptz, $5::jsonb, $6::uuid)`,
      [resourceType, id, versionId, lastUpdated, json, scope.messageId],
    );
    await rebuildSearchIndex(tx, stored);
    await rebuildReferences(tx, stored, held !== undefined);
    return { resourceType, id, versionId: String(versionId), changed: true, content: stored };
  }
  throw new StoreError(`Could not create or lock ${resourceType}/${id}; retry the message.`, 'write-conflict');
}

/** Replace the resource_reference rows of one resource with those of its new current version. */
async function rebuildReferences(tx: SqlExecutor, resource: StoredResource, hadRows: boolean): Promise<void> {
  if (hadRows) {
    await tx.query('DELETE FROM resource_reference WHERE resource_type = $1 AND resource_id = $2', [
      resource.resourceType,
      resource.id,
    ]);
  }
  const targets = literalReferences(resource);
  if (targets.length === 0) return;
  await tx.query(
    `INSERT INTO resource_reference (resource_type, resource_id, target_type, target_id)
     SELECT $1, $2, t.target_type, t.target_id FROM unnest($3::text[], $4::text[]) AS t(target_type, target_id)`,
    [resource.resourceType, resource.id, targets.map((t) => t[0]), targets.map((t) => t[1])],
  );
}

/** Drop meta.versionId/lastUpdated from a ref for reporting. */
export function versionRef(written: WrittenVersion): ResourceVersionRef {
  return { resourceType: written.resourceType, id: written.id, versionId: written.versionId, changed: written.changed };
}
