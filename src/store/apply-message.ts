/**
 * Everything one message does to the store, inside the caller's transaction: resolve its Patients to their
 * canonical records (the MPI), write the bundle (event order respected), carry out merges, index identifiers,
 * and record a Provenance.
 *
 * Round trips: the MPI lookup, one read of every row the bundle and its Provenance touch, a lock of the rows
 * whose content changes (only when some existing row changes), one statement writing every new version (the
 * Provenance's included), and the identifier index. Merges, and bundles naming one resource twice, take the
 * slower path of one write per step.
 */
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { bundleWrites } from './apply-bundle.js';
import { mergePatient } from './merge.js';
import { indexPatient, resolvePatients, type PatientResolution } from './mpi.js';
import { rewriteReferences, type SurvivorExtras } from './patient-content.js';
import { buildProvenance, provenanceId } from './provenance.js';
import type { ApplyInput, ResourceVersionRef } from './types.js';
import {
  readHeld,
  rowKey,
  stageWrites,
  versionRef,
  writeResource,
  writeResources,
  writeStaged,
  type WriteRequest,
  type WriteScope,
  type WrittenVersion,
} from './write-resource.js';

export interface MessageApplied {
  /** bundle entries in bundle order, then versions written by merges (retired Patients, repointed resources) */
  readonly versions: ResourceVersionRef[];
  readonly provenance: ResourceVersionRef;
}

export async function applyMessage(scope: WriteScope, input: ApplyInput): Promise<MessageApplied> {
  const { tx, now } = scope;
  const eventTime = isoOrNull(input.source.eventTime);
  const resolutions = await resolvePatients(tx, input.bundle);
  const resolved = toCanonical(input, resolutions);
  const survivors = new Map<string, SurvivorExtras>(resolutions.map((r) => [r.canonicalId, r.extras]));
  const writes = bundleWrites(resolved, eventTime, survivors);
  const occurred = eventTime === null ? null : (input.source.eventTime ?? null);
  const provenanceKey = { resourceType: 'Provenance', id: provenanceId(input.source.sender, input.source.controlId) };
  const provenanceOf = (versions: ResourceVersionRef[]) => {
    const provenance = buildProvenance(input.source, resolved.bundle, versions, now().toISOString(), occurred);
    return { ...provenanceKey, eventTime, next: () => provenance } satisfies WriteRequest;
  };

  const keys = new Set([...writes.map((w) => rowKey(w.request.resourceType, w.request.id)), rowKey(provenanceKey.resourceType, provenanceKey.id)]);
  const merging = resolutions.some((r) => r.retire.length > 0);
  if (!merging && keys.size === writes.length + 1) {
    // the common case: every row read at once, every new version written by one statement
    const read = await readHeld(tx, [...writes.map((w) => w.request), provenanceKey]);
    const bundle = await stageWrites(scope, writes.map((w) => w.request), read);
    const written = inBundleOrder(writes, bundle.versions);
    const versions = written.map(versionRef);
    const provenance = await stageWrites(scope, [provenanceOf(versions)], read);
    await writeStaged(scope, [...bundle.rows, ...provenance.rows]);
    await indexPatients(scope, written, resolutions);
    return { versions, provenance: versionRef(provenance.versions[0] as WrittenVersion) };
  }

  const bundle: WrittenVersion[] = [];
  if (keys.size === writes.length + 1) bundle.push(...(await writeResources(scope, writes.map((w) => w.request))));
  else for (const w of writes) bundle.push(await writeResource(scope, w.request.resourceType, w.request.id, eventTime, w.request.next));
  const written = inBundleOrder(writes, bundle);
  const merged: WrittenVersion[] = [];
  for (const resolution of resolutions) {
    for (const retired of resolution.retire) merged.push(...(await mergePatient(scope, resolution.canonicalId, retired.id)));
  }
  await indexPatients(scope, written, resolutions);
  const versions = [...written, ...merged].map(versionRef);
  const request = provenanceOf(versions);
  const record = await writeResource(scope, request.resourceType, request.id, eventTime, request.next);
  return { versions, provenance: versionRef(record) };
}

export function inBundleOrder(writes: readonly { index: number }[], versions: readonly WrittenVersion[]): WrittenVersion[] {
  const ordered = new Array<WrittenVersion>(writes.length);
  writes.forEach((w, i) => {
    ordered[w.index] = versions[i] as WrittenVersion;
  });
  return ordered;
}

async function indexPatients(scope: WriteScope, written: readonly WrittenVersion[], resolutions: readonly PatientResolution[]): Promise<void> {
  for (const version of written) {
    if (version.resourceType !== 'Patient') continue;
    const owned = resolutions.find((r) => r.canonicalId === version.id)?.owned;
    await indexPatient(scope.tx, version.content as Patient & { id: string }, owned);
  }
}

/** The input with each Patient's mapped id replaced by its canonical id, in the bundle and in the rules. */
export function toCanonical(input: ApplyInput, resolutions: readonly PatientResolution[]): ApplyInput {
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

export function isoOrNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? null : new Date(millis).toISOString();
}
