import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMapper, loadMappingSet } from '../../src/mapping/index.js';
import { createRecordMapper } from '../../src/mapping/record-mapper.js';
import { channel, hl7FixturesDir, mappingsDir, readHl7 } from '../support/mapping-harness.js';

const RGT = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');
const explaining = loadMappingSet(mappingsDir, [], { explain: true });
const plain = loadMappingSet(mappingsDir);
const fixtures = readdirSync(hl7FixturesDir).filter((f) => f.endsWith('.hl7'));

/** 1-based line of the first line of a file containing `text`. */
function lineOf(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

describe('--explain', () => {
  it('is compiled only when asked for: the engine’s sets have no explainer', () => {
    expect(plain.explainer).toBeUndefined();
    expect(explaining.explainer).toBeDefined();
  });

  it('maps every fixture exactly as the plain set does', () => {
    const a = createMapper(plain);
    const b = createMapper(explaining);
    for (const f of fixtures) {
      expect(b.map(readHl7(join(hl7FixturesDir, f)), RGT), f).toEqual(a.map(readHl7(join(hl7FixturesDir, f)), RGT));
    }
  });

  it('names the file:line, template, field and message place of each element', () => {
    const result = createMapper(explaining).map(readHl7(join(hl7FixturesDir, 'adt-a01-admit.hl7')), RGT);
    const rows = explaining.explainer!.explain(result.bundle);
    const patient = result.bundle.entry!.findIndex((e) => e.resource?.resourceType === 'Patient');
    const byPath = new Map(rows.map((r) => [r.path, r]));
    const xpn = join(mappingsDir, 'hl7v2', 'datatypes', 'XPN.yaml');
    expect(byPath.get(`entry[${patient}].resource.name[0].family`)).toEqual({
      path: `entry[${patient}].resource.name[0].family`,
      value: 'SMITH',
      where: expect.stringMatching(new RegExp(`hl7v2/datatypes/XPN\\.yaml:${lineOf(xpn, 'family:')}:\\d+$`)),
      rule: 'XPN.family',
      input: 'PID-5.1.1',
    });
    // a field written as a list of rules: each element names its own rule
    expect(byPath.get(`entry[${patient}].resource.name[0].given[1]`)).toMatchObject({ value: 'PAUL', rule: 'XPN.given[1]', input: 'PID-5.3' });
    // a repetition: the second identifier was read from PID-3[2]
    expect(byPath.get(`entry[${patient}].resource.identifier[1].value`)).toMatchObject({ value: 'RGT1234567', input: 'PID-3[2].1' });
    expect(byPath.get(`entry[${patient}].resource.gender`)).toMatchObject({ rule: 'Patient.gender', input: 'PID-8' });
    // a first: rule names the option that gave the value (here the second: PID-13.3, equipment type)
    expect(byPath.get(`entry[${patient}].resource.telecom[0].system`)).toMatchObject({ value: 'phone', rule: 'XTN.system', input: 'PID-13.3 (first, option 2 of 3)' });
    expect(byPath.get(`entry[${patient}].resource.id`)).toMatchObject({ rule: 'Patient.id', where: expect.stringMatching(/PID\.yaml:\d+:\d+$/) });
    // every element of every resource is explained
    const unexplained = rows.filter((r) => r.where === undefined);
    expect(unexplained).toEqual([]);
    expect(rows.filter((r) => r.path.includes('.resource.')).every((r) => /\.yaml:\d+:\d+$/.test(r.where ?? '') || r.where === 'security-labels.yaml')).toBe(true);
  });

  it('explains elements an into entry adds to another resource (PD1 into the Patient)', () => {
    const result = createMapper(explaining).map(readHl7(join(hl7FixturesDir, 'adt-a01-admit.hl7')), RGT);
    const rows = explaining.explainer!.explain(result.bundle);
    const gp = rows.find((r) => /\.resource\.generalPractitioner\[0\]\.reference$/.test(r.path));
    expect(gp).toMatchObject({ where: expect.stringMatching(/PD1\.yaml:\d+:\d+$/), rule: 'PatientPrimaryCare.generalPractitioner[0]', input: 'each PD1-3' });
  });

  it('explains GP records too: the record and element each value was read from', () => {
    const records = createRecordMapper(explaining);
    const plainRecords = createRecordMapper(plain);
    const bundle = JSON.parse(readFileSync(join(hl7FixturesDir, '..', 'gp', 'gp-connect-structured-record.json'), 'utf8'));
    const practice = channel('histon-gp', 'D81025', 'Histon Road Surgery');
    const result = records.mapBundle('gp-connect', bundle, practice);
    expect(result).toEqual(plainRecords.mapBundle('gp-connect', bundle, practice));
    const rows = explaining.explainer!.explain(result.bundle);
    const nhs = rows.find((r) => /^entry\[\d+\]\.resource\.identifier\[0\]\.value$/.test(r.path) && r.value === '9457306147');
    expect(nhs).toMatchObject({ where: expect.stringMatching(/gp\/fhir\/patient\.yaml:\d+:\d+$/), rule: 'GpNhsNumber.value', input: expect.stringMatching(/^Patient\/\S+\.identifier\[0\]\.value$/) });
    expect(rows.filter((r) => r.where === undefined)).toEqual([]);
  });
});
