import type { Resource } from '@medplum/fhirtypes';
import type { FhirHandler } from '../handler-types.js';
import { resourceNotFound } from '../outcomes.js';
import { requireId, requireResourceType } from './resource-types.js';

/** ETag and Last-Modified from the resource's meta, when it has them. */
export function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  const versionId = resource.meta?.versionId;
  if (versionId !== undefined) headers['ETag'] = `W/"${versionId}"`;
  const lastUpdated = resource.meta?.lastUpdated;
  if (lastUpdated !== undefined) {
    const when = new Date(lastUpdated);
    if (!Number.isNaN(when.getTime())) headers['Last-Modified'] = when.toUTCString();
  }
  return headers;
}

/** read: GET /fhir/:type/:id */
export const readResource: FhirHandler = async (request, context) => {
  const resourceType = requireResourceType(request.resourceType);
  const id = requireId(request.id);
  const resource = await context.store.read(resourceType, id);
  if (resource === undefined) throw resourceNotFound(resourceType, id);
  return { status: 200, resource, headers: versionHeaders(resource) };
};
