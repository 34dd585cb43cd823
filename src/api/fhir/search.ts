import type { FhirHandler } from '../handler-types.js';
import { invalidParameters } from '../outcomes.js';
import { searchsetBundle } from './bundle.js';
import { requireResourceType } from './resource-types.js';
import { parseSearch } from './search-parse.js';

/** search-type: GET /fhir/:type?… and POST /fhir/:type/_search (form body). */
export const searchType: FhirHandler = async (request, context) => {
  const resourceType = requireResourceType(request.resourceType);
  const definitions = context.searchParameters.params(resourceType) ?? {};
  const parsed = parseSearch(request.params, { resourceType, definitions, baseUrl: request.baseUrl });
  if (!parsed.ok) throw invalidParameters(parsed.problems);
  const result = await context.store.search(resourceType, parsed.query);
  const bundle = searchsetBundle({
    path: resourceType,
    baseUrl: request.baseUrl,
    params: request.params,
    query: parsed.query,
    result,
  });
  return { status: 200, resource: bundle };
};
