import { invalidId, unknownResourceType } from '../outcomes.js';

/** Resource types this API serves (read and search-type). */
export const SUPPORTED_RESOURCE_TYPES = [
  'Patient',
  'Encounter',
  'Organization',
  'Practitioner',
  'Location',
  'Provenance',
  'AllergyIntolerance',
  'Condition',
  'Procedure',
  'Observation',
  'MedicationStatement',
  'MedicationRequest',
  'Immunization',
  'RelatedPerson',
  'Coverage',
  'CareTeam',
] as const;
export type SupportedResourceType = (typeof SUPPORTED_RESOURCE_TYPES)[number];

/** FHIR R4 id: 1 to 64 of A-Z a-z 0-9 - . */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function isSupportedResourceType(value: string): value is SupportedResourceType {
  return (SUPPORTED_RESOURCE_TYPES as readonly string[]).includes(value);
}

/** Throws a 404 outcome unless `value` is a type this API serves. */
export function requireResourceType(value: string | undefined): SupportedResourceType {
  const resourceType = value ?? '';
  if (!isSupportedResourceType(resourceType)) throw unknownResourceType(resourceType, SUPPORTED_RESOURCE_TYPES);
  return resourceType;
}

/** Throws a 400 outcome unless `value` is a well-formed FHIR id. */
export function requireId(value: string | undefined): string {
  const id = value ?? '';
  if (!FHIR_ID.test(id)) throw invalidId(id);
  return id;
}
