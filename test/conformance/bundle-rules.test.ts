import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBundle, findReferences } from '../../src/conformance/bundle-rules.js';
import { loadR4Definitions } from '../../src/conformance/fhir-validator.js';

function put(resource: Resource): BundleEntry {
  const key = `${resource.resourceType}/${String(resource.id)}`;
  return { fullUrl: key, resource, request: { method: 'PUT', url: key } };
}

/** A small, valid mapped bundle; each test below breaks exactly one rule in a fresh copy of it. */
function goodBundle(): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'org-xyz', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'XYZ' }], name: 'Corpus Hospital' }),
      put({
        resourceType: 'Patient',
        id: 'pat-1',
        name: [{ family: 'Example' }],
        gender: 'male',
        managingOrganization: { reference: 'Organization/org-xyz' },
      }),
      put({
        resourceType: 'Encounter',
        id: 'enc-1',
        status: 'in-progress',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
        subject: { reference: 'Patient/pat-1' },
        serviceProvider: { reference: 'Organization/org-xyz' },
        period: { start: '2024-03-01T10:15:00Z' },
      }),
    ],
  };
}

function entry(bundle: Bundle, index: number): BundleEntry {
  const found = bundle.entry?.[index];
  if (!found) throw new Error(`test bundle has no entry ${index}`);
  return found;
}

function resourceOf(bundle: Bundle, index: number): Record<string, unknown> {
  return entry(bundle, index).resource as unknown as Record<string, unknown>;
}

function expectOnly(issues: string[], rule: string, fragment: string): void {
  expect(issues.length, JSON.stringify(issues)).toBeGreaterThan(0);
  expect(issues.every((issue) => issue.startsWith(`[${rule}]`)), JSON.stringify(issues)).toBe(true);
  expect(issues.join('\n')).toContain(fragment);
}

describe('checkBundle', () => {
  beforeAll(() => loadR4Definitions(), 30_000);

  it('passes a valid mapped bundle', () => {
    expect(checkBundle(goodBundle())).toEqual([]);
  });

  it('rejects a bundle that is not a transaction', () => {
    expectOnly(checkBundle({ ...goodBundle(), type: 'batch' }), 'bundle', 'of type batch');
  });

  it('rejects a bundle without entries', () => {
    expectOnly(checkBundle({ resourceType: 'Bundle', type: 'transaction' }), 'bundle', 'no entries');
  });

  it('rejects an entry without a resource', () => {
    const bundle = goodBundle();
    delete entry(bundle, 0).resource;
    const issues = checkBundle(bundle);
    expect(issues).toContain('[entry] entry[0]: has no resource');
    // the organisation it held is gone, so references to it no longer resolve either
    expect(issues.filter((issue) => !issue.startsWith('[reference]'))).toEqual(['[entry] entry[0]: has no resource']);
  });

  it('rejects a resource without an id', () => {
    const bundle = goodBundle();
    delete resourceOf(bundle, 2).id;
    expect(checkBundle(bundle)).toContain('[entry] entry[2]: resource has no resourceType or no id');
  });

  it('rejects a duplicate (resourceType, id)', () => {
    const bundle = goodBundle();
    bundle.entry?.push(put({ resourceType: 'Patient', id: 'pat-1', gender: 'female' }));
    const issues = checkBundle(bundle);
    expect(issues).toContain('[unique] entry[3] Patient/pat-1: Patient/pat-1 already appears at entry[1]');
    // R4 itself (bdl-7) also forbids the repeated fullUrl; nothing else is reported
    expect(issues.filter((issue) => !issue.startsWith('[unique]') && !issue.includes('bdl-7'))).toEqual([]);
  });

  it('allows the same id on different resource types', () => {
    const bundle = goodBundle();
    bundle.entry?.push(put({ resourceType: 'Practitioner', id: 'pat-1' }));
    expect(checkBundle(bundle)).toEqual([]);
  });

  it('rejects a fullUrl that is not Type/id', () => {
    const bundle = goodBundle();
    entry(bundle, 1).fullUrl = 'urn:uuid:9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
    expectOnly(checkBundle(bundle), 'url', "expected 'Patient/pat-1'");
  });

  it.each([
    ['a POST', { method: 'POST', url: 'Patient' }],
    ['a PUT to another id', { method: 'PUT', url: 'Patient/pat-2' }],
  ] as const)('rejects %s request', (_label, request) => {
    const bundle = goodBundle();
    entry(bundle, 1).request = { ...request };
    expectOnly(checkBundle(bundle), 'url', "expected 'PUT Patient/pat-1'");
  });

  it('rejects a reference to a resource that is not in the bundle', () => {
    const bundle = goodBundle();
    resourceOf(bundle, 2).subject = { reference: 'Patient/elsewhere' };
    expectOnly(checkBundle(bundle), 'reference', "entry[2] Encounter/enc-1 Encounter.subject.reference: 'Patient/elsewhere'");
  });

  it('finds references nested in arrays and backbone elements', () => {
    const bundle = goodBundle();
    resourceOf(bundle, 2).participant = [{ individual: { reference: 'Practitioner/missing' } }];
    expectOnly(checkBundle(bundle), 'reference', 'Encounter.participant[0].individual.reference');
  });

  it('resolves #id references against contained resources only', () => {
    const bundle = goodBundle();
    const encounter = resourceOf(bundle, 2);
    encounter.contained = [{ resourceType: 'Location', id: 'ward' }];
    encounter.location = [{ location: { reference: '#ward' } }];
    expect(checkBundle(bundle)).toEqual([]);
    encounter.location = [{ location: { reference: '#bed' } }];
    const issues = checkBundle(bundle);
    expect(issues).toContain(
      "[reference] entry[2] Encounter/enc-1 Encounter.location[0].location.reference: '#bed' does not resolve to an entry of the bundle",
    );
    // R4 itself (ref-1) also requires the contained resource; nothing else is reported
    expect(issues.filter((issue) => !issue.startsWith('[reference]') && !issue.includes('ref-1'))).toEqual([]);
  });

  it.each([
    ['an empty object', (r: Record<string, unknown>) => (r.managingOrganization = {}), 'Bundle.entry[1].resource.managingOrganization: empty object'],
    ['an empty array', (r: Record<string, unknown>) => (r.identifier = []), 'Bundle.entry[1].resource.identifier: empty array'],
    ['an empty string', (r: Record<string, unknown>) => (r.birthDate = ''), 'Bundle.entry[1].resource.birthDate: empty string'],
    ['a null', (r: Record<string, unknown>) => (r.active = null), 'Bundle.entry[1].resource.active: null value'],
    ['an undefined', (r: Record<string, unknown>) => (r.deceasedBoolean = undefined), 'Bundle.entry[1].resource.deceasedBoolean: undefined value'],
  ])('rejects %s inside a resource', (_label, spoil, expected) => {
    const bundle = goodBundle();
    spoil(resourceOf(bundle, 1));
    const issues = checkBundle(bundle);
    expect(issues.some((issue) => issue.startsWith(`[empty] ${expected}`)), JSON.stringify(issues)).toBe(true);
  });

  it('rejects an empty value in the bundle envelope', () => {
    const bundle = { ...goodBundle(), id: '' };
    expect(checkBundle(bundle)).toContain('[empty] Bundle.id: empty string');
  });

  it('rejects a resource that is not valid R4', () => {
    const bundle = goodBundle();
    resourceOf(bundle, 1).gender = 'mail';
    expectOnly(checkBundle(bundle), 'r4', 'entry[1] Patient/pat-1: Patient.gender');
  });

  it('rejects an invalid bundle envelope', () => {
    const bundle = goodBundle();
    (bundle as unknown as Record<string, unknown>).timestamp = '2024-03-01T10:15';
    expectOnly(checkBundle(bundle), 'r4', 'Bundle.timestamp');
  });
});

describe('findReferences', () => {
  it('walks objects and arrays and ignores non-string reference values', () => {
    const found = findReferences(
      { a: { reference: 'X/1' }, b: [{ c: { reference: 'Y/2' } }], d: { reference: { reference: 'Z/3' } } },
      'R',
    );
    expect(found).toEqual([
      { path: 'R.a.reference', reference: 'X/1' },
      { path: 'R.b[0].c.reference', reference: 'Y/2' },
      { path: 'R.d.reference.reference', reference: 'Z/3' },
    ]);
  });
});
