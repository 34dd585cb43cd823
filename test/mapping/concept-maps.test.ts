import { describe, expect, it } from 'vitest';
import { lookupConcept, mergeConceptMap } from '../../src/mapping/concept-maps.js';
import type { ConceptMapFile } from '../../src/mapping/schema.js';
import type { SourceFile } from '../../src/mapping/yaml-source.js';

const file = { path: 'codes.yaml', display: 'codes.yaml' } as SourceFile;

function map(def: Partial<ConceptMapFile>) {
  return mergeConceptMap(undefined, { id: 'codes', entries: {}, ...def } as ConceptMapFile, file);
}

describe('lookupConcept', () => {
  // PRN, PON and P-N have the same length and first and last characters: each must still find its own entry
  const codes = map({ target: 'http://example.org/cs', entries: { PRN: 'home', PON: 'work', 'P-N': { code: 'temp', display: 'Temporary' }, X: 'x' } });

  it('finds each code among codes that look alike', () => {
    expect(lookupConcept(codes, 'PRN')?.code).toBe('home');
    expect(lookupConcept(codes, 'PON')?.code).toBe('work');
    expect(lookupConcept(codes, 'P-N')).toEqual({ code: 'temp', display: 'Temporary', system: 'http://example.org/cs' });
    expect(lookupConcept(codes, 'X')?.code).toBe('x');
  });

  it('misses codes that are not in the map, alike or not', () => {
    expect(lookupConcept(codes, 'PAN')).toBeUndefined();
    expect(lookupConcept(codes, 'PR')).toBeUndefined();
    expect(lookupConcept(codes, '')).toBeUndefined();
  });

  it('matches case-insensitively (after trimming) unless the map is case-sensitive', () => {
    expect(lookupConcept(codes, ' prn ')?.code).toBe('home');
    const strict = map({ caseSensitive: true, entries: { Internet: 'email' } });
    expect(lookupConcept(strict, 'Internet')?.code).toBe('email');
    expect(lookupConcept(strict, 'INTERNET')).toBeUndefined();
  });

  it('an overlay replaces a code of its base', () => {
    const overlay = mergeConceptMap(codes, { id: 'codes', entries: { PRN: 'old' } } as ConceptMapFile, file);
    expect(lookupConcept(overlay, 'PRN')?.code).toBe('old');
    expect(lookupConcept(overlay, 'PON')?.code).toBe('work');
  });
});
