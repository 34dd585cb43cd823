import type { FhirHandler } from '../handler-types.js';
import { invalidParameters, operationNotSupported, resourceNotFound } from '../outcomes.js';
import { searchsetBundle } from './bundle.js';
import { parsePagingParams } from './paging-params.js';
import { requireId, requireResourceType } from './resource-types.js';

/**
 * Operations on an instance: GET /fhir/:type/:id/:operation. Only `Patient/:id/$everything` exists:
 * the person's whole record (merged records included) as a searchset, with `_since` for incremental sync.
 */
export const instanceOperation: FhirHandler = async (request, context) => {
  const resourceType = requireResourceType(request.resourceType);
  const id = requireId(request.id);
  const operation = request.operation ?? '';
  if (resourceType !== 'Patient' || operation !== '$everything') throw operationNotSupported(operation, resourceType);
  const parsed = parsePagingParams(request.params, '$everything');
  if (!parsed.ok) throw invalidParameters(parsed.problems, 'Parameter');
  const result = await context.store.everything(id, parsed.paging);
  if (result === undefined) throw resourceNotFound(resourceType, id);
  const query = { count: parsed.paging.count, offset: 0, ...(parsed.paging.cursor !== undefined ? { cursor: parsed.paging.cursor } : {}) };
  return {
    status: 200,
    resource: searchsetBundle({ path: `Patient/${id}/$everything`, baseUrl: request.baseUrl, params: request.params, query, result }),
  };
};
