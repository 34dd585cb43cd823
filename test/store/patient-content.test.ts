import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  combinePatient,
  literalReferences,
  REPLACES_IDENTIFIER_URL,
  retirePatient,
  rewriteReferences,
  unionIdentifiers,
} from '../../src/store/patient-content.js';

const nhs = { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' };
const mrnA = { system: 'https://junction.nhs.uk/Id/RGT/mr', value: 'A1' };
const mrnB = { system: 'https://junction.nhs.uk/Id/RGN/mr', value: 'B1' };

describe('patient content', () => {
  it('accumulates identifiers: held order first, the newer content for one both hold, nothing lost', () => {
    const newerNhs = { ...nhs, extension: [{ url: 'x', valueString: 'verified' }] };
    expect(unionIdentifiers([nhs, mrnA], [newerNhs, mrnB], true)).toEqual([newerNhs, mrnA, mrnB]);
    expect(unionIdentifiers([nhs, mrnA], [newerNhs, mrnB], false)).toEqual([nhs, mrnA, mrnB]);
    expect(unionIdentifiers(undefined, [mrnA, mrnA], true)).toEqual([mrnA]);
  });

  it('keeps held demographics for an older message but still adds its identifiers', () => {
    const held: Patient = { resourceType: 'Patient', id: 'p', name: [{ family: 'NEW' }], identifier: [nhs] };
    const mapped: Patient = { resourceType: 'Patient', id: 'p', name: [{ family: 'OLD' }], identifier: [nhs, mrnB] };
    expect(combinePatient(mapped, held, true, undefined)).toEqual({ ...held, identifier: [nhs, mrnB] });
    expect(combinePatient(mapped, held, false, undefined)).toEqual(mapped);
  });

  it('drops the merge extension, keeps links, and a replaced record stays inactive', () => {
    const held: Patient = { resourceType: 'Patient', id: 'p', link: [{ other: { reference: 'Patient/q' }, type: 'replaced-by' }] };
    const mapped: Patient = { resourceType: 'Patient', id: 'p', extension: [{ url: REPLACES_IDENTIFIER_URL, valueIdentifier: mrnA }] };
    const extras = { identifiers: [{ ...mrnA, use: 'old' as const }], links: [{ other: { reference: 'Patient/r' }, type: 'replaces' as const }] };
    expect(combinePatient(mapped, held, false, extras)).toEqual({
      resourceType: 'Patient',
      id: 'p',
      identifier: [{ ...mrnA, use: 'old' }],
      link: [...(held.link ?? []), ...extras.links],
      active: false,
    });
    expect(retirePatient({ resourceType: 'Patient', id: 'r', active: true }, 'p')).toEqual({
      resourceType: 'Patient', id: 'r', active: false, link: [{ other: { reference: 'Patient/p' }, type: 'replaced-by' }],
    });
  });

  it('finds and rewrites literal references, leaving versioned ones and others alone', () => {
    const encounter = {
      resourceType: 'Encounter',
      subject: { reference: 'Patient/r' },
      basedOn: [{ reference: 'Patient/r/_history/2' }],
      location: [{ location: { reference: 'Location/w' } }],
      text: { reference: 'not-a-reference' },
    };
    expect(literalReferences(encounter as never).sort()).toEqual([['Location', 'w'], ['Patient', 'r']]);
    const moved = rewriteReferences(encounter, 'Patient/r', 'Patient/p');
    expect(moved.subject.reference).toBe('Patient/p');
    expect(moved.basedOn[0]?.reference).toBe('Patient/r/_history/2');
    expect(moved.location).toBe(encounter.location);
    expect(encounter.subject.reference).toBe('Patient/r');
    expect(rewriteReferences(encounter, 'Patient/x', 'Patient/p')).toBe(encounter);
  });
});
