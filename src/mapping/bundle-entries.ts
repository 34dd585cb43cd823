/** Pieces of a mapped transaction Bundle shared by the HL7v2 and the record (GP Connect, CSV) mappers. */
import type { BundleEntry } from '@medplum/fhirtypes';
import type { Json, JsonObject } from './runtime.js';

/** Add the fields of an `into` entry to a resource: lists are joined, other values replace. */
export function mergeInto(target: JsonObject, extra: JsonObject): void {
  for (const k in extra) {
    const v = extra[k] as Json;
    const old = target[k];
    target[k] = Array.isArray(old) && Array.isArray(v) ? [...old, ...v] : v;
  }
}

/** The PUT entry of a resource with its deterministic id (`fullUrl` = `Type/id`). */
export function bundleEntry(resource: JsonObject): BundleEntry {
  const url = `${String(resource['resourceType'])}/${String(resource['id'])}`;
  return { fullUrl: url, resource: resource as unknown as BundleEntry['resource'], request: { method: 'PUT', url } };
}
