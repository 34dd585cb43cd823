import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { applyPreserve, canonicalJson, mergeMeta, sameContent } from '../../src/store/resource-content.js';

describe('resource content rules', () => {
  const held: Patient = { resourceType: 'Patient', id: 'p', gender: 'male', active: true, meta: { versionId: '3', lastUpdated: '2024-01-01T00:00:00Z' } };

  it('keeps preserved elements the held version has, and mapped ones it lacks', () => {
    const mapped: Patient = { resourceType: 'Patient', id: 'p', gender: 'female', birthDate: '1980' };
    expect(applyPreserve(mapped, held, ['gender', 'birthDate', 'id'])).toEqual({
      resourceType: 'Patient',
      id: 'p',
      gender: 'male',
      birthDate: '1980',
    });
    expect(applyPreserve(mapped, undefined, ['gender'])).toBe(mapped);
  });

  it('accumulates security labels and tags without duplicates, dropping version fields', () => {
    const meta = mergeMeta(
      { versionId: '9', security: [{ system: 's', code: 'A' }], profile: ['p'] },
      { versionId: '3', security: [{ system: 's', code: 'B' }, { system: 's', code: 'A' }], tag: [{ code: 't' }] },
      [{ system: 's', code: 'PSY' }],
    );
    expect(meta).toEqual({
      profile: ['p'],
      security: [{ system: 's', code: 'B' }, { system: 's', code: 'A' }, { system: 's', code: 'PSY' }],
      tag: [{ code: 't' }],
    });
  });

  it('compares content regardless of key order and version meta, but not of labels', () => {
    const same: Patient = { active: true, gender: 'male', id: 'p', resourceType: 'Patient', meta: { versionId: '4', source: 'x' } };
    expect(sameContent(same, held)).toBe(true);
    expect(sameContent({ ...same, gender: 'female' }, held)).toBe(false);
    expect(sameContent({ ...same, meta: { security: [{ code: 'R' }] } }, held)).toBe(false);
    expect(canonicalJson({ b: [1, { d: 1, c: undefined }], a: null })).toBe('{"a":null,"b":[1,{"d":1}]}');
  });
});
