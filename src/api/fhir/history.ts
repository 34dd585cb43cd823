import type { FhirHandler } from '../handler-types.js';
import { invalidParameters, resourceNotFound, versionNotFound } from '../outcomes.js';
import { historyBundle } from './bundle.js';
import { parsePagingParams } from './paging-params.js';
import { versionHeaders } from './read.js';
import { requireId, requireResourceType } from './resource-types.js';

/** vread: GET /fhir/:type/:id/_history/:vid */
export const vreadResource: FhirHandler = async (request, context) => {
  const resourceType = requireResourceType(request.resourceType);
  const id = requireId(request.id);
  const versionId = request.versionId ?? '';
  const resource = /^[1-9][0-9]{0,8}$/.test(versionId) ? await context.store.vread(resourceType, id, versionId) : undefined;
  if (resource === undefined) {
    if ((await context.store.read(resourceType, id)) === undefined) throw resourceNotFound(resourceType, id);
    throw versionNotFound(resourceType, id, versionId);
  }
  return { status: 200, resource, headers: versionHeaders(resource) };
};

/** history-instance: GET /fhir/:type/:id/_history (newest first; `_since`, `_count`, `_cursor`) */
export const instanceHistory: FhirHandler = async (request, context) => {
  const resourceType = requireResourceType(request.resourceType);
  const id = requireId(request.id);
  const parsed = parsePagingParams(request.params, 'history');
  if (!parsed.ok) throw invalidParameters(parsed.problems, 'Parameter');
  const result = await context.store.history(resourceType, id, parsed.paging);
  if (result.total === 0 && (await context.store.read(resourceType, id)) === undefined) throw resourceNotFound(resourceType, id);
  const path = `${resourceType}/${id}/_history`;
  return { status: 200, resource: historyBundle({ path, baseUrl: request.baseUrl, params: request.params, ...parsed.paging, result }) };
};

/** history-type: GET /fhir/:type/_history */
export const typeHistory: FhirHandler = async (request, context) => {
  const resourceType = requireResourceType(request.resourceType);
  const parsed = parsePagingParams(request.params, 'history');
  if (!parsed.ok) throw invalidParameters(parsed.problems, 'Parameter');
  const result = await context.store.history(resourceType, undefined, parsed.paging);
  const path = `${resourceType}/_history`;
  return { status: 200, resource: historyBundle({ path, baseUrl: request.baseUrl, params: request.params, ...parsed.paging, result }) };
};
