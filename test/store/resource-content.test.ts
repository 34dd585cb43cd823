import type { Patient } from '@medplum/fhirtypes';
import fc from 'fast-check';
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

  it('compares as JSON: undefined members are absent, undefined array items null, version-only meta none', () => {
    const base = { resourceType: 'Patient', id: 'p', name: [{ given: ['A', 'B'], family: 'F' }] } as Patient;
    expect(sameContent({ ...base, name: [{ family: 'F', given: ['A', 'B'] }] } as Patient, base)).toBe(true);
    expect(sameContent({ ...base, gender: undefined } as Patient, base)).toBe(true);
    expect(sameContent({ ...base, meta: { versionId: '2', lastUpdated: 'x', source: 's' } } as Patient, base)).toBe(true);
    expect(sameContent({ ...base, meta: { tag: [{ code: 't' }] } } as Patient, base)).toBe(false);
    expect(sameContent({ ...base, name: [{ family: 'F', given: ['B', 'A'] }] } as Patient, base)).toBe(false);
    expect(sameContent({ ...base, name: [{ family: 'F', given: ['A'] }] } as Patient, base)).toBe(false);
    expect(sameContent({ ...base, name: [{ family: 'F', given: ['A', 'B'], text: 'A B F' }] } as Patient, base)).toBe(false);
    expect(sameContent({ ...base, extension: [undefined] } as unknown as Patient, { ...base, extension: [null] } as unknown as Patient)).toBe(true);
    expect(sameContent({ ...base, active: 0 } as unknown as Patient, { ...base, active: false } as Patient)).toBe(false);
    expect(sameContent({ ...base, x: {} } as unknown as Patient, { ...base, x: [] } as unknown as Patient)).toBe(false);
  });

  it('agrees with canonical JSON text equality on random values', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(value, value, fc.boolean(), (a, b, reuse) => {
        const other = reuse ? JSON.parse(JSON.stringify(a)) : b;
        const x = { resourceType: 'Basic', id: 'b', v: a } as unknown as Patient;
        const y = { resourceType: 'Basic', id: 'b', v: other } as unknown as Patient;
        expect(sameContent(x, y)).toBe(canonicalJson(a) === canonicalJson(other));
      }),
      { numRuns: 2000 },
    );
  });
});
