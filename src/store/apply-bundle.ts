import type { BundleEntry, Coding, Patient, Resource } from '@medplum/fhirtypes';
import { StoreError } from './errors.js';
import { combinePatient, type SurvivorExtras } from './patient-content.js';
import { applyPreserve, mergeMeta } from './resource-content.js';
import type { ApplyInput } from './types.js';
import type { StoredResource, WriteRequest } from './write-resource.js';

interface PlannedWrite {
  readonly index: number;
  readonly resource: StoredResource;
  readonly preserve: readonly string[];
  readonly labels: readonly Coding[];
}

/**
 * The writes of a mapped bundle, one per entry, in (type, id) order (the order rows are locked and versions
 * stamped, so two messages touching the same resources cannot deadlock each other), each with its entry's index.
 *
 * Event order: a resource last set by a message with a later event time (`eventTime`, EVN-2 else MSH-7) keeps
 * its content; an older message only adds what accumulates (a Patient's identifiers and links, security
 * labels). A message without an event time is treated as the newest.
 */
export function bundleWrites(
  input: ApplyInput,
  eventTime: string | null,
  survivors: ReadonlyMap<string, SurvivorExtras> = new Map(),
): { readonly index: number; readonly request: WriteRequest }[] {
  const writes = (input.bundle.entry ?? []).map((entry, index) => planWrite(entry, index, input));
  return writes
    .sort((a, b) => compare(a.resource.resourceType, b.resource.resourceType) || compare(a.resource.id, b.resource.id))
    .map((write) => ({
      index: write.index,
      request: {
        resourceType: write.resource.resourceType,
        id: write.resource.id,
        eventTime,
        next: (held, heldIsNewer) => nextVersion(write, held, heldIsNewer, survivors.get(write.resource.id)),
      },
    }));
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

/**
 * The next content: the mapped resource with preserved elements and accumulated labels applied (the held
 * content instead when a newer message set it); for a Patient, identifiers and links accumulate.
 */
function nextVersion(
  write: PlannedWrite,
  held: StoredResource | undefined,
  heldIsNewer: boolean,
  extras: SurvivorExtras | undefined,
): StoredResource {
  const older = heldIsNewer && held !== undefined;
  let base: Resource = older ? held : applyPreserve(write.resource, held, write.preserve);
  if (write.resource.resourceType === 'Patient') {
    base = combinePatient(write.resource as Patient, held as Patient | undefined, older, extras);
    if (!older) base = applyPreserve(base, held, write.preserve);
  }
  const meta = mergeMeta(base.meta, held?.meta, write.labels);
  const next = { ...base } as StoredResource;
  if (Object.keys(meta).length > 0) next.meta = meta;
  else delete next.meta;
  return next;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
