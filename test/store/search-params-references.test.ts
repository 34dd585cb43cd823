import type { Location, Organization, Patient, Provenance } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { extractIndexEntries, getSearchParameter } from '../../src/store/search-params.js';

const byParam = (entries: ReturnType<typeof extractIndexEntries>, param: string) =>
  entries
    .filter((e) => e.param === param)
    .map((e) => (e.entry.kind === 'reference' ? `${e.entry.targetType}/${e.entry.targetId}` : e.entry.kind === 'string' ? e.entry.value : e.entry.kind === 'token' ? `${e.entry.system ?? ''}|${e.entry.code}` : '?'));

describe('index entries of the read-side resource types', () => {
  it('indexes Provenance targets, versioned ones included, under target (patient answered from it)', () => {
    const provenance: Provenance = {
      resourceType: 'Provenance',
      id: 'pv1',
      recorded: '2024-03-05T10:00:00Z',
      target: [{ reference: 'Patient/p1/_history/2' }, { reference: 'Encounter/e1/_history/1' }],
      agent: [{ who: { reference: 'Organization/o1' } }],
    };
    const entries = extractIndexEntries(provenance);
    expect(byParam(entries, 'target')).toEqual(['Patient/p1', 'Encounter/e1']);
    expect(byParam(entries, 'patient')).toEqual([]);
    const patient = getSearchParameter('Provenance', 'patient');
    expect(patient?.extract(provenance)).toEqual([{ kind: 'reference', targetType: 'Patient', targetId: 'p1' }]);
    expect(patient?.storedAs).toEqual({ param: 'target', targetType: 'Patient' });
  });

  it('indexes Organization and Location identifiers and names, aliases included', () => {
    const organization: Organization = {
      resourceType: 'Organization',
      id: 'o1',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RGT' }],
      name: 'Cambridge University Hospitals',
      alias: ['CUH'],
    };
    expect(byParam(extractIndexEntries(organization), 'identifier')).toEqual(['https://fhir.nhs.uk/Id/ods-organization-code|RGT']);
    expect(byParam(extractIndexEntries(organization), 'name')).toEqual(['Cambridge University Hospitals', 'CUH']);
    const location: Location = { resourceType: 'Location', id: 'l1', name: 'D5, BAY 2, BED 3' };
    expect(byParam(extractIndexEntries(location), 'name')).toEqual(['D5, BAY 2, BED 3']);
  });

  it('indexes Patient links, so merged records can be found', () => {
    const patient: Patient = { resourceType: 'Patient', id: 'p1', link: [{ type: 'replaces', other: { reference: 'Patient/old' } }] };
    expect(byParam(extractIndexEntries(patient), 'link')).toEqual(['Patient/old']);
  });
});
