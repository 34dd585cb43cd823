/** The mapping language: load errors with file:line, overlays, conditions, loops, lookups, ids, unmapped, labels. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/hl7v2/index.js';
import { createMapper, loadMappingSet, MappingError, MappingLoadError } from '../../src/mapping/index.js';
import type { MapResult } from '../../src/mapping/types.js';
import { checkBundle } from '../support/bundle-rules.js';
import { channel, mappingsDir } from '../support/mapping-harness.js';

const RGT = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-mapping-'));
  temps.push(dir);
  return dir;
}
function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}
/** a copy of the repository mappings with some files added or replaced */
function baseWith(files: Record<string, string>): string {
  const dir = tempDir();
  cpSync(mappingsDir, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) write(dir, file, text);
  return dir;
}
function loadError(dir: string, overlays: string[] = []): string {
  try {
    loadMappingSet(dir, overlays);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingLoadError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingLoadError');
}

const MSH = 'MSH|^~\\&|PAS|RGT|JUNCTION|SHR|20240314093000||ADT^A01^ADT_A01|1|P|2.5';
const PID = 'PID|1||9434765919^^^NHS^NH~RGT1234567^^^RGT^MR||SMITH^JOHN||19650412|M';
const PV1 = 'PV1|1|I|D5^^BED 3^RGT01||||||||||||||||V001^^^RGT^VN|||||||||||||||||||||||||20240314093000';
function message(...segments: string[]) {
  return parseMessage(segments.join('\r'));
}
function resourcesOf(result: MapResult, type: string): Record<string, unknown>[] {
  return (result.bundle.entry ?? []).map((e) => e.resource as unknown as Record<string, unknown>).filter((r) => r['resourceType'] === type);
}

describe('load errors say file:line, what and how to fix', () => {
  it('an unknown transform lists the known ones', () => {
    const dir = baseWith({
      'hl7v2/segments/ZZ1.yaml': 'segment: ZZ1\ntemplates:\n  Zz:\n    fields:\n      text:\n        from: ZZ1-1\n        transform: frobnicate\n',
    });
    const text = loadError(dir);
    expect(text).toMatch(/ZZ1\.yaml:7:\d+ — unknown transform "frobnicate" — use one of: .*date.*lookup/);
  });

  it('bad transform arguments are reported at the argument', () => {
    const dir = baseWith({
      'hl7v2/segments/ZZ1.yaml': 'segment: ZZ1\ntemplates:\n  Zz:\n    fields:\n      text:\n        from: ZZ1-1\n        transform: { lookup: { map: no-such-map } }\n',
    });
    expect(loadError(dir)).toMatch(/ZZ1\.yaml:7:\d+ — there is no concept map "no-such-map" — use one of: .*administrative-gender/);
  });

  it('a bad path names the path and the syntax', () => {
    const dir = baseWith({ 'hl7v2/segments/ZZ1.yaml': 'segment: ZZ1\ntemplates:\n  Zz:\n    fields:\n      text: { from: PID5 }\n' });
    expect(loadError(dir)).toMatch(/ZZ1\.yaml:5:\d+ — "PID5" is not a valid path — write SEG-field/);
  });

  it('a relative path where no field is selected is an error', () => {
    const dir = baseWith({ 'hl7v2/segments/ZZ1.yaml': 'segment: ZZ1\ntemplates:\n  Zz:\n    fields:\n      text: { from: .1 }\n' });
    expect(loadError(dir)).toMatch(/ZZ1\.yaml:5:\d+ — relative path \.1 used where no field is selected/);
  });

  it('a schema violation names the unknown key and the allowed ones', () => {
    const dir = baseWith({ 'hl7v2/segments/ZZ1.yaml': 'segment: ZZ1\ntemplates:\n  Zz:\n    fields:\n      text:\n        form: ZZ1-1\n' });
    const text = loadError(dir);
    expect(text).toMatch(/ZZ1\.yaml:6:\d+ — templates\.Zz\.fields\.text(\.form)?: unknown key "form" — .*allowed here: description, from/);
  });

  it('a YAML syntax error gives its line', () => {
    const dir = baseWith({ 'hl7v2/segments/ZZ1.yaml': 'segment: ZZ1\ntemplates:\n  Zz:\n    fields: [unclosed\n' });
    expect(loadError(dir)).toMatch(/ZZ1\.yaml:\d+:\d+ — YAML syntax error/);
  });

  it('reports every problem at once, including unknown templates and vars', () => {
    const dir = baseWith({
      'hl7v2/segments/ZZ1.yaml':
        'segment: ZZ1\ntemplates:\n  Zz:\n    fields:\n      a: { from: ZZ1-1, template: NoSuchTemplate }\n      b: { var: noSuchVar }\n      c: { from: ZZ1-2, transform: nope }\n',
    });
    const text = loadError(dir);
    expect(text).toContain('3 problems');
    expect(text).toMatch(/ZZ1\.yaml:5:\d+ — there is no template "NoSuchTemplate"/);
    expect(text).toMatch(/ZZ1\.yaml:6:\d+ — unknown var "noSuchVar" — use one of: .*odsCode/);
    expect(text).toMatch(/ZZ1\.yaml:7:\d+ — unknown transform "nope"/);
  });

  it('an event mapped to a structure without a message file is an error', () => {
    const dir = baseWith({ 'hl7v2/events.yaml': 'events:\n  ADT:\n    A01: ADT_A01\n    A17: ADT_A17\n' });
    expect(loadError(dir)).toMatch(/events\.yaml:4:\d+ — ADT\^A17 maps to ADT_A17, which no message file defines/);
  });

  it('the repository mappings load, and list their files and structures', () => {
    const set = loadMappingSet(mappingsDir);
    expect(set.structures()).toEqual(expect.arrayContaining(['ADT_A01', 'ADT_A02', 'ADT_A03', 'ADT_A09']));
    expect(set.files.some((f) => f.endsWith('segments/PID.yaml'))).toBe(true);
  });
});

describe('mapping errors', () => {
  const mapper = createMapper(loadMappingSet(mappingsDir));

  it('a message without PID cannot be mapped, and the error says where', () => {
    try {
      mapper.map(message(MSH, 'EVN|A01', PV1), RGT);
      throw new Error('expected a MappingError');
    } catch (error) {
      expect(error).toBeInstanceOf(MappingError);
      expect((error as MappingError).where).toMatch(/ADT_A01\.yaml:\d+:\d+; message segment PID/);
      expect((error as Error).message).toContain('no PID segment');
    }
  });

  it('an event with no structure is refused at MSH-9', () => {
    const msg = message('MSH|^~\\&|PAS|RGT|J|S|20240314093000||ADT^A17|1|P|2.5', PID, PV1);
    expect(() => mapper.map(msg, RGT)).toThrow(MappingError);
    try {
      mapper.map(msg, RGT);
    } catch (error) {
      expect((error as MappingError).where).toBe('MSH-9; event table mappings/hl7v2/events.yaml');
      expect((error as Error).message).toContain('ADT^A17');
    }
  });
});

describe('overlays', () => {
  const zu1 = {
    'hl7v2/segments/ZU1.yaml': [
      'segment: ZU1',
      'templates:',
      '  Zu1Encounter:',
      '    description: the trust puts the expected discharge date in ZU1-2',
      '    fields:',
      '      extension:',
      '        - fields:',
      '            url: { const: https://junction.nhs.uk/StructureDefinition/expected-discharge }',
      '            valueDateTime: { from: ZU1-2, transform: dateTime, required: true }',
      '',
    ].join('\n'),
    'hl7v2/messages/zu1.yaml': 'extends: "*"\nresources:\n  - into: encounter\n    segment: ZU1\n    template: Zu1Encounter\n',
  };
  const msg = message(MSH, PID, PV1, 'ZU1|1|20240320120000');

  it('a Z-segment template is added without copying the base files', () => {
    const overlay = tempDir();
    for (const [f, t] of Object.entries(zu1)) write(overlay, f, t);
    const base = createMapper(loadMappingSet(mappingsDir)).map(msg, RGT);
    expect(base.unmapped).toContainEqual({ path: 'ZU1', count: 1 });

    const result = createMapper(loadMappingSet(mappingsDir, [overlay])).map(msg, RGT);
    const [encounter] = resourcesOf(result, 'Encounter');
    expect(encounter?.['extension']).toEqual([{ url: 'https://junction.nhs.uk/StructureDefinition/expected-discharge', valueDateTime: '2024-03-20T12:00:00+00:00' }]);
    expect(encounter?.['status']).toBe('in-progress'); // the base template still applies
    // the segment is now read; only the field no rule reads (the set id) is left
    expect(result.unmapped.filter((u) => u.path.startsWith('ZU1'))).toEqual([{ path: 'ZU1-1', count: 1 }]);
  });

  it('an extends "*" file skips the structures that lack the resource it adds to (ADT_A30 has no Encounter)', () => {
    const overlay = tempDir();
    for (const [f, t] of Object.entries(zu1)) write(overlay, f, t);
    const mapper = createMapper(loadMappingSet(mappingsDir, [overlay]));
    const a47 = message(MSH.replace('ADT^A01^ADT_A01', 'ADT^A47^ADT_A30'), PID, 'MRG|RGT7654321^^^RGT^MR', 'ZU1|1|20240320120000');
    const result = mapper.map(a47, RGT);
    expect(resourcesOf(result, 'Encounter')).toEqual([]);
    expect(result.unmapped).toContainEqual({ path: 'ZU1', count: 1 }); // nothing read it in this structure
  });

  it('the example rgt overlay takes the NHS number status from ZU1-27 when PID-32 is empty', () => {
    const rgt = createMapper(loadMappingSet(mappingsDir, [join(mappingsDir, 'overlays/rgt')]));
    const zu1Status = `ZU1${'|'.repeat(27)}03`;
    const status = (r: MapResult) =>
      (resourcesOf(r, 'Patient')[0]?.['identifier'] as { system: string; extension?: { valueCodeableConcept: { coding: { code: string }[] } }[] }[])
        .find((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number')?.extension?.[0]?.valueCodeableConcept.coding[0]?.code;
    expect(status(rgt.map(message(MSH, PID, PV1, zu1Status), RGT))).toBe('03');
    expect(status(rgt.map(message(MSH, `${PID}${'|'.repeat(24)}01`, PV1, zu1Status), RGT))).toBe('01'); // PID-32 wins
    const base = createMapper(loadMappingSet(mappingsDir)).map(message(MSH, PID, PV1, zu1Status), RGT);
    expect(status(base)).toBeUndefined();
    expect(base.unmapped).toContainEqual({ path: 'ZU1', count: 1 });
    expect(rgt.map(message(MSH, PID, PV1, zu1Status), RGT).unmapped.filter((u) => u.path.startsWith('ZU1'))).toEqual([]);
  });

  it('a concept-map overlay replaces entries and keeps the others', () => {
    const overlay = tempDir();
    write(overlay, 'codesystems/patient-class.yaml', 'id: patient-class\nentries:\n  I: { code: ACUTE, display: inpatient acute }\n');
    const mapper = createMapper(loadMappingSet(mappingsDir, [overlay]));
    const inpatient = resourcesOf(mapper.map(msg, RGT), 'Encounter')[0];
    expect(inpatient?.['class']).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ACUTE', display: 'inpatient acute' });
    const outpatient = resourcesOf(mapper.map(message(MSH, PID, PV1.replace('PV1|1|I|', 'PV1|1|O|')), RGT), 'Encounter')[0];
    expect((outpatient?.['class'] as { code: string }).code).toBe('AMB');
  });

  it('an overlay template replaces the base template of that name', () => {
    const overlay = tempDir();
    write(overlay, 'hl7v2/segments/MSH.yaml', [
      'segment: MSH',
      'templates:',
      '  SendingOrganization:',
      '    resourceType: Organization',
      '    id: { var: odsCode, transform: { hash-id: { namespace: Organization } } }',
      '    fields:',
      '      name: { const: Overlay Trust }',
      '',
    ].join('\n'));
    const result = createMapper(loadMappingSet(mappingsDir, [overlay])).map(msg, RGT);
    expect(resourcesOf(result, 'Organization')[0]?.['name']).toBe('Overlay Trust');
  });
});

/** A small mapping set written for one test: events + one structure + the given segment templates. */
function smallSet(templates: string, extraFiles: Record<string, string> = {}): ReturnType<typeof createMapper> {
  const dir = tempDir();
  write(dir, 'hl7v2/events.yaml', 'events:\n  ADT:\n    A01: ADT_A01\n');
  write(dir, 'hl7v2/messages/ADT_A01.yaml', 'structure: ADT_A01\nresources:\n  - key: patient\n    segment: PID\n    template: T\n    required: true\n');
  write(dir, 'hl7v2/segments/PID.yaml', `segment: PID\ntemplates:\n${templates}`);
  write(dir, 'codesystems/sex.yaml', 'id: sex\ntarget: http://hl7.org/fhir/administrative-gender\nentries:\n  M: male\n  F: { code: female, display: Female }\n');
  for (const [f, t] of Object.entries(extraFiles)) write(dir, f, t);
  return createMapper(loadMappingSet(dir));
}
const patientHead = '  T:\n    resourceType: Patient\n    id: { from: PID-3.1, transform: { hash-id: { namespace: Patient } } }\n    fields:\n';

describe('rules', () => {
  it('conditions: exists, equals, in, startsWith, not, any, all', () => {
    const mapper = smallSet(
      patientHead +
        [
          '      a: { when: { exists: PID-8 }, const: has-sex }',
          '      b: { when: { exists: PID-9 }, const: never }',
          '      c: { when: { path: PID-8, equals: M }, const: is-m }',
          '      d: { when: { path: PID-8, in: [F, U] }, const: never }',
          '      e: { when: { not: { path: PID-8, in: [F, U] } }, const: not-f-or-u }',
          '      f: { when: { all: [{ path: PID-5.1, startsWith: SMI }, { var: event, equals: A01 }] }, const: both }',
          '      g: { when: { any: [{ exists: PID-9 }, { path: PID-5.2, equals: X }] }, const: never }',
          '',
        ].join('\n'),
    );
    const [p] = resourcesOf(mapper.map(message(MSH, PID), RGT), 'Patient');
    expect(p).toMatchObject({ a: 'has-sex', c: 'is-m', e: 'not-f-or-u', f: 'both' });
    expect(p).not.toHaveProperty('b');
    expect(p).not.toHaveProperty('d');
    expect(p).not.toHaveProperty('g');
  });

  it('loops over field repetitions, subcomponents and repeating segments; first, parts, split, join, default', () => {
    const mapper = smallSet(
      patientHead +
        [
          '      ids:',
          '        - { each: PID-3, from: .1 }',
          '      kin:',
          '        - { each: NK1, from: NK1-2.2, transform: uppercase }',
          '      subs:',
          '        - { each: PID-11, fields: { parts: [{ each: .1, transform: lowercase }] } }',
          '      given:',
          '        - { from: PID-5.3, transform: split }',
          '      firstOf: { first: [{ from: PID-9 }, { from: PID-5.1 }] }',
          '      joined: { parts: [{ from: PID-5.2 }, { from: PID-9, optional: true }, { from: PID-5.1 }], transform: { join: { separator: "|" } } }',
          '      allOrNothing: { parts: [{ from: PID-5.2 }, { from: PID-9 }], transform: join }',
          '      fallback: { from: PID-9, transform: { default: { value: none } } }',
          '',
        ].join('\n'),
    );
    const msg = message(MSH, 'PID|1||A1~B2~~C3||SMITH^JOHN^PAUL  PETER||||||1&HIGH&ST', 'NK1|1|SMITH^jane', 'NK1|2|JONES^bob');
    const [p] = resourcesOf(mapper.map(msg, RGT), 'Patient');
    expect(p?.['ids']).toEqual(['A1', 'B2', 'C3']);
    expect(p?.['kin']).toEqual(['JANE', 'BOB']);
    expect(p?.['subs']).toEqual([{ parts: ['1', 'high', 'st'] }]);
    expect(p?.['given']).toEqual(['PAUL', 'PETER']);
    expect(p?.['firstOf']).toBe('SMITH');
    expect(p?.['joined']).toBe('JOHN|SMITH');
    expect(p).not.toHaveProperty('allOrNothing');
    expect(p?.['fallback']).toBe('none');
  });

  it('lookups give code, display, system or a coding, and warn on unknown codes', () => {
    const mapper = smallSet(
      patientHead +
        [
          '      code: { from: PID-8, transform: { lookup: { map: sex } } }',
          '      display: { from: PID-8, transform: { lookup: { map: sex, output: display } } }',
          '      coding: { from: PID-8, transform: { lookup: { map: sex, output: coding } } }',
          '',
        ].join('\n'),
    );
    const female = mapper.map(message(MSH, 'PID|1||A1||SMITH||19650412|f'), RGT);
    expect(resourcesOf(female, 'Patient')[0]).toMatchObject({
      code: 'female',
      display: 'Female',
      coding: { system: 'http://hl7.org/fhir/administrative-gender', code: 'female', display: 'Female' },
    });
    const unknown = mapper.map(message(MSH, 'PID|1||A1||SMITH||19650412|Q'), RGT);
    expect(resourcesOf(unknown, 'Patient')[0]).not.toHaveProperty('code');
    expect(unknown.warnings).toHaveLength(3); // one per rule, each naming its own rule and file:line
    expect(unknown.warnings[0]).toMatch(/^PID-8 \(T\.code at .*PID\.yaml:\d+:\d+\): code "Q" is not in concept map sex \(.*sex\.yaml\); left out$/);
    expect(unknown.warnings[1]).toMatch(/^PID-8 \(T\.display at .*PID\.yaml:\d+:\d+\): code "Q"/);
  });

  it('number turns an HL7 NM into a JSON number and leaves out, with a warning, what is not a decimal', () => {
    const mapper = smallSet(patientHead + ['      n: [{ each: PID-13, from: .1, transform: number }]', ''].join('\n'));
    const result = mapper.map(message(MSH, 'PID|1||A1||SMITH||||||||72~-0.5~+3.20~.5~1e3~12,5~ 7 '), RGT);
    expect(resourcesOf(result, 'Patient')[0]?.['n']).toEqual([72, -0.5, 3.2, 0.5, 7]);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^PID-13\[5\]\.1 \(T\.n\[0\] at .*PID\.yaml:\d+:\d+\): "1e3" is not a decimal number; left out$/),
      expect.stringMatching(/^PID-13\[6\]\.1 \(T\.n\[0\] at .*PID\.yaml:\d+:\d+\): "12,5" is not a decimal number; left out$/),
    ]);
  });

  it('empty values never produce empty elements', () => {
    const mapper = smallSet(
      patientHead +
        [
          '      name:',
          '        - { each: PID-5, fields: { family: { from: .1 }, given: [{ from: .2 }] } }',
          '      contact:',
          '        - fields: { name: { fields: { text: { from: PID-9 } } } }',
          '      blank: { from: PID-6 }',
          '      identifier:',
          '        - { each: PID-3, fields: { system: { const: urn:x }, value: { from: .1, required: true } } }',
          '',
        ].join('\n'),
    );
    const result = mapper.map(message(MSH, 'PID|1||A1~^^^X||""~^||   |'), RGT);
    const [p] = resourcesOf(result, 'Patient');
    expect(p).not.toHaveProperty('name');
    expect(p).not.toHaveProperty('contact');
    expect(p).not.toHaveProperty('blank');
    expect(p?.['identifier']).toEqual([{ system: 'urn:x', value: 'A1' }]);
  });
});

describe('the repository mappings', () => {
  const mapper = createMapper(loadMappingSet(mappingsDir));

  it('make deterministic, valid ids: a replay gives the same bundle, another visit another Encounter', () => {
    const first = mapper.map(message(MSH, PID, PV1), RGT);
    const replay = mapper.map(message(MSH, PID, PV1), RGT);
    expect(replay.bundle).toEqual(first.bundle);
    for (const e of first.bundle.entry ?? []) expect(e.resource?.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    const other = mapper.map(message(MSH, PID, PV1.replace('V001', 'V002')), RGT);
    expect(resourcesOf(other, 'Encounter')[0]?.['id']).not.toBe(resourcesOf(first, 'Encounter')[0]?.['id']);
    expect(resourcesOf(other, 'Patient')[0]?.['id']).toBe(resourcesOf(first, 'Patient')[0]?.['id']);
    const elsewhere = mapper.map(message(MSH, PID, PV1), channel('rgn', 'RGN', 'Peterborough'));
    expect(resourcesOf(elsewhere, 'Patient')[0]?.['id']).toBe(resourcesOf(first, 'Patient')[0]?.['id']);
    expect(resourcesOf(elsewhere, 'Encounter')[0]?.['id']).not.toBe(resourcesOf(first, 'Encounter')[0]?.['id']);
  });

  it('without a visit number the Encounter id comes from the admit time', () => {
    const noVisit = PV1.replace('V001^^^RGT^VN', '');
    const a = mapper.map(message(MSH, PID, noVisit), RGT);
    const b = mapper.map(message(MSH, PID, noVisit.replace('20240314093000', '20240315093000')), RGT);
    expect(resourcesOf(a, 'Encounter')).toHaveLength(1);
    expect(resourcesOf(a, 'Encounter')[0]?.['id']).not.toBe(resourcesOf(b, 'Encounter')[0]?.['id']);
    expect(checkBundle(a.bundle)).toEqual([]);
  });

  it('report unmapped segments and fields with counts', () => {
    const pv1 = PV1.split('|');
    pv1[10] = '300'; // hospital service: no rule reads it yet
    const result = mapper.map(
      message(MSH, 'EVN|A01|20240314093000', `${PID}||||||||||||||||||GBR`, 'NK1|1|SMITH^JANE', 'NK1|2|SMITH^JOE', pv1.join('|'), 'ZU1|1|X', 'ZU1|2|Y'),
      RGT,
    );
    expect(result.unmapped).toEqual([
      { path: 'PID-26', count: 1 },
      { path: 'PV1-10', count: 1 },
      { path: 'ZU1', count: 2 },
    ]);
  });

  it('an entry marked once maps the first of several groups and says the rest were left out', () => {
    const a40 = (...groups: string[]) => message(MSH.replace('ADT^A01^ADT_A01', 'ADT^A40^ADT_A39'), 'EVN|A40|20240314093000', ...groups);
    const first = [PID, 'MRG|RGT7654321^^^RGT^MR'];
    const second = ['PID|1||RGT2222222^^^RGT^MR||JONES^MARY||19700101|F', 'MRG|RGT3333333^^^RGT^MR'];
    const one = mapper.map(a40(...first), RGT);
    const two = mapper.map(a40(...first, ...second), RGT);
    const replaces = (r: MapResult) => resourcesOf(r, 'Patient')[0]?.['extension'];
    expect(replaces(two)).toEqual(replaces(one)); // the second MRG does not merge into the first survivor
    expect(replaces(one)).toHaveLength(1);
    expect(one.warnings).toEqual([]);
    expect(two.warnings).toEqual([expect.stringMatching(/^MRG: the message has 2 MRG segments; only the first is mapped \(mappings\/hl7v2\/messages\/ADT_A39\.yaml:\d+/)]);
  });

  it('once and repeat on one entry is a load error', () => {
    const dir = baseWith({ 'hl7v2/messages/ZZZ_Z01.yaml': 'structure: ZZZ_Z01\nresources:\n  - repeat: true\n    once: true\n    segment: PID\n    template: Patient\n' });
    expect(loadError(dir)).toMatch(/ZZZ_Z01\.yaml:3:\d+ — resources\[0\]: once \(only the first segment\) and repeat/);
  });

  it('an A08 preserves the held Encounter status unless PV1-45 shows a discharge', () => {
    const a08 = (pv1: string) => message(MSH.replace('ADT^A01^ADT_A01', 'ADT^A08^ADT_A01'), PID, pv1);
    const open = mapper.map(a08(PV1), RGT);
    const id = resourcesOf(open, 'Encounter')[0]?.['id'];
    const status = (r: MapResult) => r.preserve.filter((p) => p.elements.includes('status'));
    expect(status(open)).toEqual([{ resourceType: 'Encounter', id, elements: ['status'] }]);
    const closed = mapper.map(a08(`${PV1}|20240320120000`), RGT);
    expect(status(closed)).toEqual([]);
    expect(resourcesOf(closed, 'Encounter')[0]?.['status']).toBe('finished');
  });
});

describe('security labels', () => {
  it('an overlay mapping DG1 to Condition gets PSY on ICD-10 F codes only', () => {
    const overlay = tempDir();
    write(overlay, 'hl7v2/segments/DG1.yaml', [
      'segment: DG1',
      'templates:',
      '  Diagnosis:',
      '    resourceType: Condition',
      '    id: { parts: [{ var: odsCode }, { from: DG1-3.1 }], transform: { hash-id: { namespace: Condition } } }',
      '    fields:',
      '      code:',
      '        fields:',
      '          coding:',
      '            - fields:',
      '                system: { when: { path: DG1-3.3, equals: I10 }, const: http://hl7.org/fhir/sid/icd-10 }',
      '                code: { from: DG1-3.1, required: true }',
      '      subject: { ref: patient }',
      '',
    ].join('\n'));
    write(overlay, 'hl7v2/messages/dg1.yaml', 'extends: [ADT_A01]\nresources:\n  - repeat: true\n    segment: DG1\n    template: Diagnosis\n');
    const mapper = createMapper(loadMappingSet(mappingsDir, [overlay]));
    const result = mapper.map(message(MSH, PID, PV1, 'DG1|1||F32.9^Depressive episode^I10', 'DG1|2||J45.9^Asthma^I10'), RGT);
    const conditions = resourcesOf(result, 'Condition');
    expect(conditions).toHaveLength(2);
    const depression = conditions.find((c) => JSON.stringify(c).includes('F32.9'));
    expect(depression?.['meta']).toEqual({
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY', display: 'psychiatry disorder information sensitivity' }],
    });
    expect(result.labels).toEqual([
      { resourceType: 'Condition', id: depression?.['id'], system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY', rule: 'icd10-mental-health' },
    ]);
    expect(checkBundle(result.bundle)).toEqual([]);
  });
});
