import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
} from '@medplum/fhirtypes';
import type { FhirHandler } from '../handler-types.js';
import type { SearchParameterCatalog } from '../search-catalog.js';
import { SUPPORTED_RESOURCE_TYPES, type SupportedResourceType } from './resource-types.js';

export interface CapabilityInput {
  readonly baseUrl: string;
  readonly catalog: SearchParameterCatalog;
  /** when the server started: the statement's date */
  readonly date: Date;
}

function resourceCapability(resourceType: SupportedResourceType, catalog: SearchParameterCatalog): CapabilityStatementRestResource {
  const definitions = catalog.params(resourceType) ?? {};
  const searchParam: CapabilityStatementRestResourceSearchParam[] = Object.entries(definitions).map(
    ([name, definition]) => ({ name, type: definition.type, documentation: definition.description }),
  );
  const searchInclude = Object.entries(definitions)
    .filter(([, definition]) => definition.type === 'reference')
    .map(([name]) => `${resourceType}:${name}`);
  return {
    type: resourceType,
    interaction: [
      { code: 'read' },
      { code: 'vread' },
      { code: 'search-type' },
      { code: 'history-instance' },
      { code: 'history-type' },
    ],
    versioning: 'versioned',
    readHistory: true,
    updateCreate: false,
    ...(searchInclude.length > 0 ? { searchInclude } : {}),
    ...(searchParam.length > 0 ? { searchParam } : {}),
    ...(resourceType === 'Patient'
      ? { operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }] }
      : {}),
  };
}

/** The CapabilityStatement of this running server (kind `instance`). */
export function capabilityStatement(input: CapabilityInput): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: input.date.toISOString(),
    publisher: 'Junction',
    kind: 'instance',
    software: { name: 'Junction' },
    implementation: { description: 'Junction shared care record FHIR API', url: input.baseUrl },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        resource: SUPPORTED_RESOURCE_TYPES.map((type) => resourceCapability(type, input.catalog)),
      },
    ],
  };
}

/** capabilities: GET /fhir/metadata */
export const readCapabilities: FhirHandler = async (request, context) => ({
  status: 200,
  resource: capabilityStatement({
    baseUrl: request.baseUrl,
    catalog: context.searchParameters,
    date: context.startedAt,
  }),
});
