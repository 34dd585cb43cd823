import type { Encounter, Patient, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadR4Definitions, validateR4 } from '../../src/conformance/fhir-validator.js';

const validPatient: Patient = {
  resourceType: 'Patient',
  id: 'p-1',
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
  name: [{ use: 'official', family: 'Example', given: ['Alex'] }],
  gender: 'female',
  birthDate: '1980-02-29',
  telecom: [{ system: 'phone', value: '01234 567890', use: 'home' }],
};

function patientWith(changes: Record<string, unknown>): Resource {
  return { ...validPatient, ...changes } as Resource;
}

/** The issues must name the faulty element, so a failure tells the reader where to look. */
function expectIssueAt(resource: Resource, path: string): string[] {
  const issues = validateR4(resource);
  expect(issues.some((issue) => issue.startsWith(path)), `expected an issue at ${path}, got ${JSON.stringify(issues)}`).toBe(true);
  return issues;
}

describe('validateR4', () => {
  beforeAll(() => loadR4Definitions(), 30_000);

  it('accepts a valid Patient', () => {
    expect(validateR4(validPatient)).toEqual([]);
  });

  it('accepts a valid Encounter with a zoned dateTime and required codes', () => {
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: 'e-1',
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: 'Patient/p-1' },
      period: { start: '2024-03-01T10:15:00+00:00' },
    };
    expect(validateR4(encounter)).toEqual([]);
  });

  it('rejects a gender outside the required value set', () => {
    const issues = expectIssueAt(patientWith({ gender: 'mail' }), 'Patient.gender');
    expect(issues.join('\n')).toContain("'mail'");
  });

  it('rejects a required code nested in a datatype', () => {
    expectIssueAt(patientWith({ name: [{ use: 'oficial', family: 'Example' }] }), 'Patient.name[0].use');
  });

  it('rejects a CodeableConcept with no coding from its required value set', () => {
    const allergy = {
      resourceType: 'AllergyIntolerance',
      id: 'a-1',
      patient: { reference: 'Patient/p-1' },
      clinicalStatus: { coding: [{ system: 'http://example.org/status', code: 'active' }] },
    } as Resource;
    expectIssueAt(allergy, 'AllergyIntolerance.clinicalStatus');
  });

  it.each(['1980-13-01', '1980-02-30x', '19800102', '1980-2-1'])('rejects the bad date %s', (birthDate) => {
    expectIssueAt(patientWith({ birthDate }), 'Patient.birthDate');
  });

  it('rejects a dateTime with a time but no time zone', () => {
    expectIssueAt(patientWith({ deceasedDateTime: '2024-03-01T10:15:00' }), 'Patient.deceased');
  });

  it('rejects an unknown element', () => {
    const issues = expectIssueAt(patientWith({ nickname: 'Al' }), 'Patient.nickname');
    expect(issues.join('\n')).toContain('nickname');
  });

  it('rejects an empty name', () => {
    expectIssueAt(patientWith({ name: [{}] }), 'Patient.name[0]');
  });

  it.each([
    ['an empty array', { identifier: [] }, 'Patient.identifier'],
    ['an empty string', { name: [{ family: '' }] }, 'Patient.name[0].family'],
    ['a null', { gender: null }, 'Patient.gender'],
    ['an undefined', { birthDate: undefined }, 'Patient.birthDate'],
  ])('rejects %s value', (_label, changes, path) => {
    expectIssueAt(patientWith(changes), path);
  });

  it('rejects a missing required element', () => {
    const encounter = { resourceType: 'Encounter', id: 'e-2', class: { code: 'IMP' } } as Resource;
    expectIssueAt(encounter, 'Encounter.status');
  });

  it('rejects a broken invariant (pat-1: a contact needs details)', () => {
    expectIssueAt(patientWith({ contact: [{ gender: 'male' }] }), 'Patient.contact[0]');
  });

  it('rejects an id that is not an R4 id', () => {
    const issues = validateR4(patientWith({ id: 'has_underscore' }));
    expect(issues.length).toBeGreaterThan(0);
  });

  it('rejects an unknown resource type', () => {
    expect(validateR4({ resourceType: 'Patiently' } as unknown as Resource).length).toBeGreaterThan(0);
  });

  it('can leave empty-value checks to the caller', () => {
    expect(validateR4(patientWith({ identifier: [] }), { emptyValues: false })).toEqual([]);
  });
});

describe('validateR4 datatype invariants', () => {
  it('rejects a Period that ends before it starts (per-1)', () => {
    const encounter = {
      resourceType: 'Encounter',
      id: 'e-3',
      status: 'finished',
      class: { code: 'IMP' },
      period: { start: '2024-03-02T10:00:00Z', end: '2024-03-01T10:00:00Z' },
    } as Resource;
    const issues = expectIssueAt(encounter, 'Encounter.period');
    expect(issues.join('\n')).toContain('per-1');
  });

  it('rejects a ContactPoint with a value but no system (cpt-2)', () => {
    const issues = expectIssueAt(patientWith({ telecom: [{ value: '01234 567890' }] }), 'Patient.telecom[0]');
    expect(issues.join('\n')).toContain('cpt-2');
  });

  it('accepts a Period in order', () => {
    const encounter = {
      resourceType: 'Encounter',
      id: 'e-4',
      status: 'finished',
      class: { code: 'IMP' },
      period: { start: '2024-03-01T10:00:00Z', end: '2024-03-02T10:00:00Z' },
    } as Resource;
    expect(validateR4(encounter)).toEqual([]);
  });
});
