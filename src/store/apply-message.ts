/**
 * Everything one message does to the store, inside the caller's transaction: resolve its Patients to their
 * canonical records (the MPI), write the bundle (event order respected), carry out merges, index identifiers,
 * and record a Provenance.
 */
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { applyBundle } from './apply-bundle.js';
import { mergePatient } from './merge.js';
import { indexPatient, resolvePatients, type PatientResolution } from './mpi.js';
import { rewriteReferences, type SurvivorExtras } from './patient-content.js';
import { buildProvenance } from './provenance.js';
import type { SqlExecutor } from './sql.js';
import type { ApplyInput, ResourceVersionRef } from './types.js';
import { versionRef, writeResource, type WriteScope, type WrittenVersion } from './write-resource.js';

export interface MessageApplied {
  /** bundle entries in bundle order, then versions written by merges (retired Patients, repointed resources) */
  readonly versions: ResourceVersionRef[];
  readonly provenance: ResourceVersionRef;
}

export async function applyMessage(
  tx: SqlExecutor,
  input: ApplyInput,
  messageId: string,
  now: () => Date,
): Promise<MessageApplied> {
  const scope: WriteScope = { tx, messageId, now };
  const eventTime = isoOrNull(input.source.eventTime);
  const resolutions = await resolvePatients(tx, input.bundle);
  const resolved = toCanonical(input, resolutions);
  const survivors = new Map<string, SurvivorExtras>(resolutions.map((r) => [r.canonicalId, r.extras]));

  const written = await applyBundle(scope, resolved, eventTime, survivors);
  const merged: WrittenVersion[] = [];
  for (const resolution of resolutions) {
    for (const retired of resolution.retire) merged.push(...(await mergePatient(scope, resolution.canonicalId, retired.id)));
  }
  for (const version of written) {
    if (version.resourceType === 'Patient') await indexPatient(tx, version.content as Patient & { id: string });
  }

  const versions = [...written, ...merged].map(versionRef);
  const occurred = eventTime === null ? null : (input.source.eventTime ?? null);
  const provenance = buildProvenance(input.source, resolved.bundle, versions, now().toISOString(), occurred);
  const record = await writeResource(scope, 'Provenance', provenance.id, eventTime, () => provenance);
  return { versions, provenance: versionRef(record) };
}

/** The input with each Patient's mapped id replaced by its canonical id, in the bundle and in the rules. */
function toCanonical(input: ApplyInput, resolutions: readonly PatientResolution[]): ApplyInput {
  const moves = resolutions.filter((r) => r.canonicalId !== r.mappedId);
  if (moves.length === 0) return input;
  let bundle: Bundle = input.bundle;
  for (const move of moves) bundle = rewriteReferences(bundle, `Patient/${move.mappedId}`, `Patient/${move.canonicalId}`);
  const canonical = new Map(moves.map((m) => [m.mappedId, m.canonicalId]));
  const entry = (bundle.entry ?? []).map((e) => {
    const resource = e.resource;
    const to = resource?.resourceType === 'Patient' && resource.id ? canonical.get(resource.id) : undefined;
    if (to === undefined) return e;
    const url = `Patient/${to}`;
    return { ...e, fullUrl: url, resource: { ...resource, id: to } as Patient, request: { method: 'PUT' as const, url } };
  });
  const renamed = <T extends { resourceType: string; id: string }>(rule: T): T => {
    const to = rule.resourceType === 'Patient' ? canonical.get(rule.id) : undefined;
    return to === undefined ? rule : { ...rule, id: to };
  };
  return {
    ...input,
    bundle: { ...bundle, entry },
    preserve: input.preserve.map(renamed),
    labels: input.labels.map(renamed),
  };
}

function isoOrNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? null : new Date(millis).toISOString();
}
