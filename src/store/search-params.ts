import type {
  Encounter,
  Location,
  Organization,
  Patient,
  Practitioner,
  Provenance,
  Resource,
} from '@medplum/fhirtypes';
import { periodRange } from './fhir-date-range.js';
import { CLINICAL_SEARCH_PARAMETERS } from './search-params-clinical.js';
import {
  dates,
  identifiers,
  nameParts,
  references,
  strings,
  token,
  type IndexEntry,
  type SearchParameterDefinition,
} from './search-extract.js';
import type { SearchParamType } from './types.js';

export { parseReference, type IndexEntry, type SearchParameterDefinition } from './search-extract.js';

export const ADMINISTRATIVE_GENDER = 'http://hl7.org/fhir/administrative-gender';
export const ENCOUNTER_STATUS = 'http://hl7.org/fhir/encounter-status';

/** Parameters every resource type supports. */
export const COMMON_SEARCH_PARAMETERS: Readonly<Record<string, SearchParameterDefinition>> = {
  _id: {
    type: 'token',
    description: 'Logical id of the resource',
    extract: (r) => (r.id ? [{ kind: 'token', code: r.id }] : []),
  },
  _lastUpdated: {
    type: 'date',
    description: 'When the resource version was written (meta.lastUpdated)',
    extract: (r) => dates(r.meta?.lastUpdated),
  },
};

const PATIENT_PARAMETERS: Readonly<Record<string, SearchParameterDefinition>> = {
  identifier: {
    type: 'token',
    description: 'A patient identifier (system|value), e.g. the NHS number',
    extract: (r) => identifiers((r as Patient).identifier),
  },
  family: {
    type: 'string',
    description: 'A family name (prefix match, case and accent insensitive)',
    extract: (r) => strings(((r as Patient).name ?? []).map((n) => n.family)),
  },
  given: {
    type: 'string',
    description: 'A given name (prefix match, case and accent insensitive)',
    extract: (r) => strings(((r as Patient).name ?? []).flatMap((n) => n.given ?? [])),
  },
  name: {
    type: 'string',
    description: 'Any part of a name: family, given, prefix, suffix or text',
    extract: (r) => strings(((r as Patient).name ?? []).flatMap(nameParts)),
  },
  birthdate: {
    type: 'date',
    description: "The patient's date of birth",
    extract: (r) => dates((r as Patient).birthDate),
  },
  gender: {
    type: 'token',
    description: 'Administrative gender: male | female | other | unknown',
    extract: (r) => {
      const gender = (r as Patient).gender;
      return gender ? [{ kind: 'token', system: ADMINISTRATIVE_GENDER, code: gender }] : [];
    },
  },
  'address-postalcode': {
    type: 'string',
    description: 'A postal code in an address (prefix match)',
    extract: (r) => strings(((r as Patient).address ?? []).map((a) => a.postalCode)),
  },
  'general-practitioner': {
    type: 'reference',
    description: "The patient's nominated GP or practice (Practitioner, Organization or PractitionerRole)",
    targets: ['Practitioner', 'Organization', 'PractitionerRole'],
    extract: (r) => references((r as Patient).generalPractitioner),
  },
  link: {
    type: 'reference',
    description: 'A patient this record is linked to (merges: replaces / replaced-by)',
    targets: ['Patient', 'RelatedPerson'],
    extract: (r) => references(((r as Patient).link ?? []).map((l) => l.other)),
  },
};

const ENCOUNTER_PARAMETERS: Readonly<Record<string, SearchParameterDefinition>> = {
  identifier: {
    type: 'token',
    description: 'An encounter identifier (system|value), e.g. the visit number',
    extract: (r) => identifiers((r as Encounter).identifier),
  },
  patient: {
    type: 'reference',
    description: 'The patient the encounter is for',
    targets: ['Patient'],
    storedAs: { param: 'subject', targetType: 'Patient' },
    extract: (r) =>
      references([(r as Encounter).subject]).filter((e) => e.kind === 'reference' && e.targetType === 'Patient'),
  },
  subject: {
    type: 'reference',
    description: 'The patient or group the encounter is for',
    targets: ['Patient', 'Group'],
    extract: (r) => references([(r as Encounter).subject]),
  },
  status: {
    type: 'token',
    description: 'planned | arrived | triaged | in-progress | onleave | finished | cancelled | entered-in-error | unknown',
    extract: (r) => {
      const status = (r as Encounter).status;
      return status ? [{ kind: 'token', system: ENCOUNTER_STATUS, code: status }] : [];
    },
  },
  class: {
    type: 'token',
    description: 'Classification of the encounter (system|code), e.g. inpatient, emergency',
    extract: (r) => {
      const coding = (r as Encounter).class;
      return coding?.code ? [token(coding.system, coding.code)] : [];
    },
  },
  date: {
    type: 'date',
    description: 'When the encounter took place (its period; an open end means ongoing)',
    extract: (r) => {
      const range = periodRange((r as Encounter).period);
      return range ? [{ kind: 'date', ...range }] : [];
    },
  },
  location: {
    type: 'reference',
    description: 'A location where the encounter took place',
    targets: ['Location'],
    extract: (r) => references(((r as Encounter).location ?? []).map((l) => l.location)),
  },
  'service-provider': {
    type: 'reference',
    description: 'The organisation responsible for the encounter',
    targets: ['Organization'],
    extract: (r) => references([(r as Encounter).serviceProvider]),
  },
};

const ORGANIZATION_PARAMETERS: Readonly<Record<string, SearchParameterDefinition>> = {
  identifier: {
    type: 'token',
    description: 'An organisation identifier (system|value), e.g. the ODS code',
    extract: (r) => identifiers((r as Organization).identifier),
  },
  name: {
    type: 'string',
    description: "The organisation's name or an alias (prefix match, case and accent insensitive)",
    extract: (r) => strings([(r as Organization).name, ...((r as Organization).alias ?? [])]),
  },
};

const PRACTITIONER_PARAMETERS: Readonly<Record<string, SearchParameterDefinition>> = {
  identifier: {
    type: 'token',
    description: 'A practitioner identifier (system|value), e.g. the GMC number',
    extract: (r) => identifiers((r as Practitioner).identifier),
  },
  name: {
    type: 'string',
    description: 'Any part of a name: family, given, prefix, suffix or text',
    extract: (r) => strings(((r as Practitioner).name ?? []).flatMap(nameParts)),
  },
};

const LOCATION_PARAMETERS: Readonly<Record<string, SearchParameterDefinition>> = {
  identifier: {
    type: 'token',
    description: 'A location identifier (system|value)',
    extract: (r) => identifiers((r as Location).identifier),
  },
  name: {
    type: 'string',
    description: "The location's name or an alias (prefix match)",
    extract: (r) => strings([(r as Location).name, ...((r as Location).alias ?? [])]),
  },
};

const PROVENANCE_PARAMETERS: Readonly<Record<string, SearchParameterDefinition>> = {
  target: {
    type: 'reference',
    description: 'A resource (version) the provenance is about',
    extract: (r) => references((r as Provenance).target),
  },
  patient: {
    type: 'reference',
    description: 'A patient the provenance is about (a target that is a Patient)',
    targets: ['Patient'],
    storedAs: { param: 'target', targetType: 'Patient' },
    extract: (r) =>
      references((r as Provenance).target).filter((e) => e.kind === 'reference' && e.targetType === 'Patient'),
  },
};

/** Supported search parameters by resource type (`_id` and `_lastUpdated` included in each). */
export const SEARCH_PARAMETERS: Readonly<Record<string, Readonly<Record<string, SearchParameterDefinition>>>> = {
  Patient: { ...COMMON_SEARCH_PARAMETERS, ...PATIENT_PARAMETERS },
  Encounter: { ...COMMON_SEARCH_PARAMETERS, ...ENCOUNTER_PARAMETERS },
  Organization: { ...COMMON_SEARCH_PARAMETERS, ...ORGANIZATION_PARAMETERS },
  Practitioner: { ...COMMON_SEARCH_PARAMETERS, ...PRACTITIONER_PARAMETERS },
  Location: { ...COMMON_SEARCH_PARAMETERS, ...LOCATION_PARAMETERS },
  Provenance: { ...COMMON_SEARCH_PARAMETERS, ...PROVENANCE_PARAMETERS },
  ...Object.fromEntries(
    Object.entries(CLINICAL_SEARCH_PARAMETERS).map(([type, params]) => [type, { ...COMMON_SEARCH_PARAMETERS, ...params }]),
  ),
};


/** The parameters a resource type can be searched by; any type has at least `_id` and `_lastUpdated`. */
export function searchParametersFor(resourceType: string): Readonly<Record<string, SearchParameterDefinition>> {
  return Object.hasOwn(SEARCH_PARAMETERS, resourceType)
    ? (SEARCH_PARAMETERS[resourceType] ?? COMMON_SEARCH_PARAMETERS)
    : COMMON_SEARCH_PARAMETERS;
}

/** For the API and CapabilityStatement: name, type and description of each parameter of a type. */
export function listSearchParameters(
  resourceType: string,
): { readonly name: string; readonly type: SearchParamType; readonly description: string }[] {
  return Object.entries(searchParametersFor(resourceType)).map(([name, def]) => ({
    name,
    type: def.type,
    description: def.description,
  }));
}

/** The definition of one parameter, or undefined when the type does not support it. */
export function getSearchParameter(resourceType: string, param: string): SearchParameterDefinition | undefined {
  const params = searchParametersFor(resourceType);
  return Object.hasOwn(params, param) ? params[param] : undefined;
}

/**
 * Parameters answered from the `resources` row itself (`_id`: the key, `_lastUpdated`: the last_updated column),
 * so they get no `search_index` rows.
 */
export const RESOURCE_COLUMN_PARAMETERS: ReadonlySet<string> = new Set(['_id', '_lastUpdated']);

/**
 * Every index entry of a resource, by parameter name (those kept in `search_index`: not `_id`, `_lastUpdated`,
 * nor parameters answered from another's rows, `storedAs`).
 */
export function extractIndexEntries(resource: Resource): { param: string; entry: IndexEntry }[] {
  const entries: { param: string; entry: IndexEntry }[] = [];
  for (const [param, def] of Object.entries(searchParametersFor(resource.resourceType))) {
    if (RESOURCE_COLUMN_PARAMETERS.has(param) || def.storedAs !== undefined) continue;
    for (const entry of def.extract(resource)) entries.push({ param, entry });
  }
  return entries;
}

