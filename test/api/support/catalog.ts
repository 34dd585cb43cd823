import { catalogFromRecord, type SearchParameterDefinition } from '../../../src/api/search-catalog.js';

const common: Record<string, SearchParameterDefinition> = {
  _id: { type: 'token', description: 'Logical id of the resource' },
  _lastUpdated: { type: 'date', description: 'When the resource version was stored' },
};

/** The parameters the store's registry is planned to offer (src/store/search-params.ts). */
export const testCatalog = catalogFromRecord({
  Patient: {
    ...common,
    identifier: { type: 'token', description: 'A patient identifier' },
    family: { type: 'string', description: 'Family name' },
    given: { type: 'string', description: 'Given name' },
    name: { type: 'string', description: 'Any part of the name' },
    birthdate: { type: 'date', description: 'Date of birth' },
    gender: { type: 'token', description: 'Administrative gender' },
    'address-postalcode': { type: 'string', description: 'Postcode' },
    'general-practitioner': {
      type: 'reference',
      description: 'Registered GP or practice',
      targets: ['Organization', 'Practitioner', 'PractitionerRole'],
    },
  },
  Encounter: {
    ...common,
    patient: { type: 'reference', description: 'The patient' },
    subject: { type: 'reference', description: 'The patient or group' },
    status: { type: 'token', description: 'Encounter status' },
    class: { type: 'token', description: 'Encounter class' },
    date: { type: 'date', description: 'When the encounter took place' },
    location: { type: 'reference', description: 'Where', targets: ['Location'] },
    'service-provider': { type: 'reference', description: 'Responsible organisation', targets: ['Organization'] },
    identifier: { type: 'token', description: 'Encounter identifier' },
  },
});
