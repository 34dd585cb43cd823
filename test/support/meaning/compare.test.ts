/** The meaning comparison itself: what counts as the same, how resources pair, how differences are explained. */
import { describe, expect, it } from 'vitest';
import { compareBundles, stale, unexplained, type Explanation, type Outcome } from './compare.js';

function bundle(...resources: Record<string, unknown>[]) {
  return { entry: resources.map((resource) => ({ resource })) };
}
const patient = (extra: Record<string, unknown>) => ({ resourceType: 'Patient', id: 'p', identifier: [{ system: 'urn:a', value: 'MRN1' }], ...extra });
const find = (outcomes: Outcome[], field: string) => outcomes.find((o) => o.field === field);

describe('meaning comparison', () => {
  it('agrees across ids, identifier systems, time zones, local code systems and order', () => {
    const ours = bundle(
      patient({ id: 'ours', birthDate: '1980-01-02', identifier: [{ system: 'https://junction.nhs.uk/Id/XYZ/mr', value: 'MRN1' }] }),
      { resourceType: 'Encounter', id: 'e1', identifier: [{ value: 'V1' }], period: { start: '2024-03-14T09:30:00+00:00' }, subject: { reference: 'Patient/ours' } },
      { resourceType: 'Condition', id: 'c1', code: { coding: [{ system: 'https://junction.nhs.uk/CodeSystem/XYZ/l', code: 'X1' }, { system: 'http://snomed.info/sct', code: '22298006' }] } },
    );
    const theirs = bundle(
      patient({ id: 'theirs', birthDate: '1980-01-02', identifier: [{ system: 'urn:oid:1.2', value: 'mrn1' }] }),
      { resourceType: 'Encounter', id: 'e9', identifier: [{ value: 'V1' }], period: { start: '2024-03-14T15:00:00+05:30' }, subject: { reference: 'Patient/theirs' } },
      { resourceType: 'Condition', id: 'c9', code: { coding: [{ system: 'http://snomed.info/sct/', code: '22298006' }, { system: 'http://example.com/v2-to-fhir-converter/CodeSystem/L', code: 'X1' }] } },
    );
    const outcomes = compareBundles('m.hl7', ours, theirs);
    expect(outcomes.filter((o) => o.kind !== 'agree')).toEqual([]);
    expect(outcomes.map((o) => `${o.resource}.${o.field}`)).toEqual(
      expect.arrayContaining(['Patient.identifier', 'Patient.birthDate', 'Encounter.period.start', 'Encounter.subject', 'Condition.code']),
    );
  });

  it('tells differ, fewer, more, only-theirs and only-ours apart, and reports unpaired resources', () => {
    const ours = bundle(
      patient({ birthDate: '1980-01-02', gender: 'male', telecom: [{ value: '1' }], name: [{ family: 'A' }, { family: 'B' }] }),
      { resourceType: 'Procedure', id: 'x', code: { coding: [{ code: 'P1' }] } },
    );
    const theirs = bundle(
      patient({ birthDate: '1980-01-03', telecom: [{ value: '1' }, { value: '2' }], name: [{ family: 'A' }], deceasedBoolean: false }),
      { resourceType: 'Procedure', id: 'y', code: { coding: [{ code: 'P2' }] } },
    );
    const outcomes = compareBundles('m.hl7', ours, theirs);
    expect(find(outcomes, 'birthDate')?.kind).toBe('differ');
    expect(find(outcomes, 'telecom')?.kind).toBe('fewer');
    expect(find(outcomes, 'name')?.kind).toBe('more');
    expect(find(outcomes, 'gender')?.kind).toBe('only-ours');
    expect(find(outcomes, 'deceased')?.kind).toBe('only-theirs');
    const procedures = outcomes.filter((o) => o.resource === 'Procedure').map((o) => `${o.kind} ${o.pair}`);
    expect(procedures.sort()).toEqual(['only-ours P1', 'only-theirs P2']);
  });

  it("reads a ward with its room and bed chained by partOf as one location, and an address's lines as one text", () => {
    const visit = (locations: string[]) => ({ resourceType: 'Encounter', id: 'e', identifier: [{ value: 'V1' }], location: locations.map((id) => ({ location: { reference: `Location/${id}` } })) });
    const ours = bundle(
      patient({ address: [{ line: ['1000 Hospital Lane'], city: 'Ann Arbor' }] }),
      visit(['bed']),
      { resourceType: 'Location', id: 'bed', name: 'D5, Bay 2, Bed 3' },
    );
    const theirs = bundle(
      patient({ address: [{ line: ['1000', 'Hospital Lane'], city: 'Ann Arbor' }] }),
      visit(['ward']),
      { resourceType: 'Location', id: 'ward', name: 'D5' },
      { resourceType: 'Location', id: 'bay', name: 'Bay 2', partOf: { reference: 'Location/ward' } },
      { resourceType: 'Location', id: 'bed3', name: 'Bed 3', partOf: { reference: 'Location/bay' } },
    );
    const outcomes = compareBundles('m.hl7', ours, theirs);
    expect(find(outcomes, 'location')).toMatchObject({ kind: 'agree', ours: ['D5, BAY 2, BED 3'] });
    expect(find(outcomes, 'address')).toMatchObject({ kind: 'agree', ours: ['1000 HOSPITAL LANE, ANN ARBOR'] });
    // a ward with two rooms under it names neither: the chain is not guessed
    const two = bundle(patient({}), visit(['ward']), { resourceType: 'Location', id: 'ward', name: 'D5' }, { resourceType: 'Location', id: 'a', name: 'Bay 1', partOf: { reference: 'Location/ward' } }, { resourceType: 'Location', id: 'b', name: 'Bay 2', partOf: { reference: 'Location/ward' } });
    expect(find(compareBundles('m.hl7', ours, two), 'location')).toMatchObject({ kind: 'differ', theirs: ['D5'] });
  });

  it('an explanation covers its resource, field, kind, files and pairs only; unused ones are stale', () => {
    const outcomes = compareBundles('m.hl7', bundle(patient({ gender: 'male' })), bundle(patient({ gender: 'female' })));
    const right: Explanation = { resource: 'Patient', field: 'gender', kind: 'differ', files: ['m.hl7'], verdict: 'ours-right', reason: 'r' };
    const otherFile: Explanation = { ...right, files: ['n.hl7'] };
    const otherKind: Explanation = { ...right, kind: 'only-ours' };
    expect(unexplained(outcomes, [right])).toEqual([]);
    expect(unexplained(outcomes, [otherFile, otherKind]).map((o) => o.field)).toEqual(['gender']);
    expect(stale(outcomes, [right])).toEqual([]);
    expect(stale(outcomes, [otherKind])).toHaveLength(1);
    expect(stale(outcomes, [{ ...right, files: ['m.hl7', 'n.hl7'] }])).toEqual([
      'Patient.gender differ: n.hl7 no longer shows it — remove the file from the entry',
    ]);
  });
});
