import type { Encounter, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  extractIndexEntries,
  getSearchParameter,
  listSearchParameters,
  parseReference,
} from '../../src/store/search-params.js';
import { foldForSearch } from '../../src/store/text-normalise.js';

describe('search parameter registry', () => {
  it('lists the parameters and types of each type, with _id and _lastUpdated everywhere', () => {
    const patient = Object.fromEntries(listSearchParameters('Patient').map((p) => [p.name, p.type]));
    expect(patient).toEqual({
      _id: 'token',
      _lastUpdated: 'date',
      identifier: 'token',
      family: 'string',
      given: 'string',
      name: 'string',
      birthdate: 'date',
      gender: 'token',
      'address-postalcode': 'string',
      'general-practitioner': 'reference',
      link: 'reference',
    });
    const encounter = listSearchParameters('Encounter').map((p) => p.name).sort();
    expect(encounter).toEqual(
      ['_id', '_lastUpdated', 'class', 'date', 'identifier', 'location', 'patient', 'service-provider', 'status', 'subject'].sort(),
    );
    expect(listSearchParameters('Organization').map((p) => p.name)).toEqual(['_id', '_lastUpdated', 'identifier', 'name']);
    expect(listSearchParameters('Practitioner').map((p) => p.name)).toContain('identifier');
    expect(listSearchParameters('Location').map((p) => p.name)).toContain('identifier');
    expect(listSearchParameters('Observation').map((p) => p.name)).toEqual(['_id', '_lastUpdated', 'patient', 'subject', 'encounter', 'identifier', 'code', 'category', 'status', 'date']);
    expect(listSearchParameters('Specimen').map((p) => p.name)).toEqual(['_id', '_lastUpdated']);
    expect(getSearchParameter('Patient', 'toString')).toBeUndefined();
    expect(getSearchParameter('constructor', '_id')?.type).toBe('token');
  });

  it('extracts index entries from a patient', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      id: 'p1',
      meta: { lastUpdated: '2024-03-05T10:00:00.000Z' },
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }, { value: 'no-system' }, { system: 'x' }],
      name: [{ family: 'Ørsted', given: ['Zoë'], prefix: ['Dr'] }],
      gender: 'female',
      birthDate: '1980-05-12',
      address: [{ postalCode: 'LS1 4AP' }, { line: ['no postcode'] }],
      generalPractitioner: [{ reference: 'Organization/B82005' }, { reference: '#contained' }],
    };
    const byParam = (param: string) => extractIndexEntries(patient).filter((e) => e.param === param).map((e) => e.entry);
    expect(byParam('identifier')).toEqual([
      { kind: 'token', system: 'https://fhir.nhs.uk/Id/nhs-number', code: '9434765919' },
      { kind: 'token', code: 'no-system' },
    ]);
    expect(byParam('name')).toEqual([
      { kind: 'string', value: 'Ørsted' },
      { kind: 'string', value: 'Zoë' },
      { kind: 'string', value: 'Dr' },
    ]);
    expect(byParam('birthdate')).toEqual([{ kind: 'date', start: '1980-05-12T00:00:00.000Z', end: '1980-05-13T00:00:00.000Z' }]);
    expect(byParam('address-postalcode')).toEqual([{ kind: 'string', value: 'LS1 4AP' }]);
    expect(byParam('general-practitioner')).toEqual([{ kind: 'reference', targetType: 'Organization', targetId: 'B82005' }]);
    // answered from the resources row (its key and last_updated), so never written to search_index
    expect(byParam('_id')).toEqual([]);
    expect(byParam('_lastUpdated')).toEqual([]);
  });

  it('indexes an encounter for patient only when its subject is a Patient', () => {
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: 'e1',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: 'Group/g1' },
    };
    const params = extractIndexEntries(encounter).map((e) => e.param);
    expect(params).toContain('subject');
    expect(params).not.toContain('patient');
    const patient = getSearchParameter('Encounter', 'patient');
    expect(patient?.extract(encounter)).toEqual([]);
    expect(patient?.extract({ ...encounter, subject: { reference: 'Patient/p1' } })).toEqual([
      { kind: 'reference', targetType: 'Patient', targetId: 'p1' },
    ]);
    // answered from the subject rows that point at a Patient, so it has no rows of its own
    expect(patient?.storedAs).toEqual({ param: 'subject', targetType: 'Patient' });
  });

  it('indexes clinical resources by subject (patient answered from it), code and date', () => {
    const entries = extractIndexEntries({
      resourceType: 'Procedure',
      id: 'p1',
      status: 'completed',
      subject: { reference: 'Patient/pat1' },
      encounter: { reference: 'Encounter/enc1' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '80146002' }] },
      performedDateTime: '2024-03-05T10:15:00Z',
    });
    expect(entries).toEqual(
      expect.arrayContaining([
        { param: 'subject', entry: { kind: 'reference', targetType: 'Patient', targetId: 'pat1' } },
        { param: 'encounter', entry: { kind: 'reference', targetType: 'Encounter', targetId: 'enc1' } },
        { param: 'code', entry: { kind: 'token', system: 'http://snomed.info/sct', code: '80146002' } },
        { param: 'status', entry: { kind: 'token', system: 'http://hl7.org/fhir/event-status', code: 'completed' } },
      ]),
    );
    expect(entries.find((e) => e.param === 'date')?.entry).toMatchObject({ kind: 'date', start: '2024-03-05T10:15:00.000Z' });
    expect(entries.map((e) => e.param)).not.toContain('patient');
    expect(getSearchParameter('Procedure', 'patient')?.storedAs).toEqual({ param: 'subject', targetType: 'Patient' });
    // without a subject parameter (AllergyIntolerance), patient keeps its own rows
    expect(getSearchParameter('AllergyIntolerance', 'patient')?.storedAs).toBeUndefined();
  });

  it('parses references in their usual shapes', () => {
    expect(parseReference('Patient/123')).toEqual({ targetType: 'Patient', targetId: '123' });
    expect(parseReference('https://hie.example/fhir/Patient/123/_history/2')).toEqual({ targetType: 'Patient', targetId: '123' });
    expect(parseReference('123')).toEqual({ targetId: '123' });
    expect(parseReference('urn:uuid:abc')).toBeUndefined();
    expect(parseReference('#x')).toBeUndefined();
  });

  it('folds case, accents and spacing for string search', () => {
    expect(foldForSearch('  Zoë   ØRSTED-Łukasz ')).toBe('zoe orsted-lukasz');
  });
});
