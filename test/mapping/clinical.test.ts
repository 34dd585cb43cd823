/**
 * The clinical segments of the repository mappings (AL1, IAM → AllergyIntolerance; DG1 → Condition;
 * PR1 → Procedure; OBX → Observation): ids that survive replays and updates, references, value types, labels.
 * The full outputs are pinned by the golden files (adt-a01-clinical, adt-a03-diagnoses-procedure,
 * adt-a60-adverse-reactions, adt-a28-allergy-no-visit); this file checks the rules behind them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/hl7v2/index.js';
import type { Mapper, MapResult } from '../../src/mapping/types.js';
import { checkBundle } from '../support/bundle-rules.js';
import { loadR4Definitions } from '../support/fhir-validator.js';
import { channel, createRepositoryMapper } from '../support/mapping-harness.js';

const RGT = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');
const PID = 'PID|1||9434766036^^^NHS^NH~RGT7654321^^^RGT^MR||HUGHES^MARGARET||19480923|F';
const pv1 = (visit: string) => `PV1|1|I|WARD F3^BAY 1^BED 4^RGT01|E|||||||||||||||${visit}^^^RGT^VN|||||||||||||||||||||||||20240521140500`;
const msh = (event: string, structure: string) => `MSH|^~\\&|EPIC|RGT|JUNCTION|SHR|20240521141502||ADT^${event}^${structure}|M${event}|P|2.5`;

let mapper: Mapper;
beforeAll(() => {
  loadR4Definitions();
  mapper = createRepositoryMapper();
}, 60_000);

function map(...segments: string[]): MapResult {
  return mapper.map(parseMessage(segments.join('\r')), RGT);
}
function all(result: MapResult, type: string): Record<string, unknown>[] {
  return (result.bundle.entry ?? []).map((e) => e.resource as unknown as Record<string, unknown>).filter((r) => r['resourceType'] === type);
}
function one(result: MapResult, type: string): Record<string, unknown> {
  const [r] = all(result, type);
  if (r === undefined) throw new Error(`no ${type}`);
  return r;
}

describe('clinical segments', () => {
  it('a diagnosis keeps its id when an update or the discharge repeats it, and gets another in another visit', () => {
    const dg1 = 'DG1|1||J18.9^Pneumonia, unspecified^I10||20240521141000|A';
    const admit = one(map(msh('A01', 'ADT_A01'), PID, pv1('V1'), dg1), 'Condition');
    const update = one(map(msh('A08', 'ADT_A01'), PID, pv1('V1'), 'DG1|2||J18.9^Pneumonia, unspecified^I10||20240521141000|F'), 'Condition');
    const discharge = one(map(msh('A03', 'ADT_A03'), PID, pv1('V1'), dg1), 'Condition');
    const nextVisit = one(map(msh('A01', 'ADT_A01'), PID, pv1('V2'), dg1), 'Condition');
    expect(update['id']).toBe(admit['id']);
    expect(discharge['id']).toBe(admit['id']);
    expect(nextVisit['id']).not.toBe(admit['id']);
  });

  it('an AL1 in an admission and an IAM in an A60 about the same allergen update one AllergyIntolerance', () => {
    const al1 = one(map(msh('A01', 'ADT_A01'), PID, pv1('V1'), 'AL1|1|DA|764146007^Penicillin^SCT|SV|Anaphylaxis'), 'AllergyIntolerance');
    const iam = one(map(msh('A60', 'ADT_A60'), PID, 'IAM|1|DA|764146007^Penicillin^SCT|SV|Anaphylaxis|A'), 'AllergyIntolerance');
    expect(iam['id']).toBe(al1['id']);
  });

  it('ICD-10 F codes are labelled PSY, other diagnoses are not', () => {
    const result = map(msh('A03', 'ADT_A03'), PID, pv1('V1'), 'DG1|1||F20.0^Paranoid schizophrenia^I10', 'DG1|2||K35.8^Acute appendicitis^I10', 'DG1|3||F20.0^Paranoid schizophrenia^SCT');
    const [psy, appendicitis, notIcd] = all(result, 'Condition');
    expect(psy?.['meta']).toEqual({ security: [expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' })] });
    expect(appendicitis).not.toHaveProperty('meta');
    expect(notIcd).not.toHaveProperty('meta'); // an F-code only means mental health in ICD-10
    expect(result.labels.map((l) => l.code)).toEqual(['PSY']);
  });

  it('the coding system comes from CE-3, or for DG1 from DG1-2, or is the sender\'s own table', () => {
    const result = map(msh('A01', 'ADT_A01'), PID, pv1('V1'), 'DG1|1|I10|J45.9^Asthma', 'DG1|2||X99^Local thing^99RGT');
    const systems = all(result, 'Condition').map((c) => (c['code'] as { coding: { system: string }[] }).coding[0]?.system);
    expect(systems).toEqual(['http://hl7.org/fhir/sid/icd-10', 'https://junction.nhs.uk/CodeSystem/RGT/99rgt']);
  });

  it('OBX values take the type OBX-2 says; a number that is not one is left out with a warning', () => {
    const result = map(
      msh('A01', 'ADT_A01'), PID, pv1('V1'),
      'OBX|1|NM|8480-6^Systolic blood pressure^LN||142|mm[Hg]^^UCUM|||||F',
      'OBX|2|DT|11778-8^Estimated date of delivery^LN||20241030||||||F',
      'OBX|3|TX|8251-1^Comment^LN||Seen by the on-call registrar||||||F',
      'OBX|4|NM|29463-7^Body weight^LN||about 60|kg|||||F',
    );
    const [bp, edd, comment, weight] = all(result, 'Observation');
    expect(bp?.['valueQuantity']).toEqual({ value: 142, system: 'http://unitsofmeasure.org', code: 'mm[Hg]', unit: 'mm[Hg]' });
    expect(edd?.['valueDateTime']).toBe('2024-10-30');
    expect(comment?.['valueString']).toBe('Seen by the on-call registrar');
    expect(weight).not.toHaveProperty('valueQuantity');
    expect(result.warnings).toContainEqual(expect.stringMatching(/^OBX-5 \(\S+ at mappings\/hl7v2\/\S+\.yaml:\d+:\d+\): "about 60" is not a decimal number; left out$/));
    expect(checkBundle(result.bundle)).toEqual([]);
  });

  it('a procedure deleted by PR1-20 is entered-in-error; without a visit nothing refers to an Encounter', () => {
    const deleted = one(map(msh('A01', 'ADT_A01'), PID, pv1('V1'), 'PR1|1||80146002^Appendectomy^SCT||20240616113000|P' + '|'.repeat(14) + 'D'), 'Procedure');
    expect(deleted['status']).toBe('entered-in-error');
    const noVisit = map(msh('A28', 'ADT_A05'), PID, 'PV1|1|N', 'PR1|1||80146002^Appendectomy^SCT||20240616113000|P', 'AL1|1|FA|^Peanut');
    expect(all(noVisit, 'Encounter')).toEqual([]);
    expect(one(noVisit, 'Procedure')).not.toHaveProperty('encounter');
    expect(checkBundle(noVisit.bundle)).toEqual([]);
  });
});
