/**
 * Merging one Patient into another (A40, or two records joined by one message): the retired record becomes
 * inactive and `replaced-by` the survivor, its identifiers resolve to the survivor, and every stored resource
 * that referenced it is repointed (a new version each). Provenance is not repointed: it says what was true.
 */
import type { Patient } from '@medplum/fhirtypes';
import { StoreError } from './errors.js';
import { moveIdentifiers } from './mpi.js';
import { retirePatient, rewriteReferences } from './patient-content.js';
import { writeResource, writeResources, type StoredResource, type WriteScope, type WrittenVersion } from './write-resource.js';

/** Versions written, the retired Patient's first. The survivor's `replaces` link is written by the caller. */
export async function mergePatient(scope: WriteScope, survivorId: string, retiredId: string): Promise<WrittenVersion[]> {
  if (retiredId === survivorId) return [];
  const written: WrittenVersion[] = [];
  written.push(
    await writeResource(scope, 'Patient', retiredId, null, (held) => {
      if (!held) throw missing('Patient', retiredId, survivorId);
      return retirePatient(held as Patient, survivorId) as StoredResource;
    }),
  );
  await moveIdentifiers(scope.tx, retiredId, survivorId);

  const { rows } = await scope.tx.query<{ resource_type: string; resource_id: string }>(
    `SELECT resource_type, resource_id FROM resource_reference
      WHERE target_type = 'Patient' AND target_id = $1 AND resource_type <> 'Provenance'
        AND NOT (resource_type = 'Patient' AND resource_id IN ($1, $2))
      ORDER BY resource_type, resource_id`,
    [retiredId, survivorId],
  );
  const from = `Patient/${retiredId}`;
  const to = `Patient/${survivorId}`;
  written.push(
    ...(await writeResources(
      scope,
      rows.map((row) => ({
        resourceType: row.resource_type,
        id: row.resource_id,
        eventTime: null,
        next: (held: StoredResource | undefined) => {
          if (!held) throw missing(row.resource_type, row.resource_id, survivorId);
          return rewriteReferences(held, from, to);
        },
      })),
    )),
  );
  return written;
}

function missing(type: string, id: string, survivorId: string): StoreError {
  return new StoreError(`${type}/${id} vanished while merging into Patient/${survivorId}; retry the message.`, 'write-conflict');
}
