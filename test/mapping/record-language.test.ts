/** The mapping language over other inputs (mappings/gp/): FHIR and CSV paths, load errors with file:line, mapping errors naming the rule. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/channels/csv.js';
import { loadMappingSet, MappingError, MappingLoadError } from '../../src/mapping/index.js';
import { createRecordMapper } from '../../src/mapping/record-mapper.js';
import { channel, mappingsDir } from '../support/mapping-harness.js';

const PRACTICE = channel('histon-gp', 'D81025', 'Histon Road Surgery');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function baseWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-gp-mapping-'));
  temps.push(dir);
  cpSync(mappingsDir, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function loadError(dir: string): string {
  try {
    loadMappingSet(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingLoadError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingLoadError');
}

const patient = { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'https://fhir.nhs.uk/Id/local', value: 'L1' }, { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9457306147' }] };

describe('load errors in GP mapping files say file:line, what and how to fix', () => {
  it('a CSV path that is not a column of its layout', () => {
    const dir = baseWith({ 'gp/csv/problems.yaml': 'input: csv\nstructure: gp-csv-problems\ncolumns: [nhs_number, local_patient_id, code]\nperson: { nhsNumber: nhs_number }\nresources:\n  - key: patient\n    template: CsvPatientStub\n  - key: c\n    template: X\ntemplates:\n  X:\n    resourceType: Condition\n    id: { from: code }\n    fields:\n      note:\n        - fields:\n            text: { from: comment }\n' });
    expect(loadError(dir)).toMatch(/gp\/csv\/problems\.yaml:17:\d+ — there is no column "comment" in layout gp-csv-problems — use one of: nhs_number, local_patient_id, code/);
  });

  it('a FHIR path that is not a path', () => {
    const dir = baseWith({ 'gp/fhir/extra.yaml': 'input: fhir\ntemplates:\n  Broken:\n    fields:\n      text: { from: "code..text" }\n' });
    expect(loadError(dir)).toMatch(/gp\/fhir\/extra\.yaml:5:\d+ — "code\.\.text" is not a valid path — write element names joined by dots/);
  });

  it('an unknown input kind', () => {
    const dir = baseWith({ 'gp/fhir/other.yaml': 'input: hl7\ntemplates: {}\n' });
    expect(loadError(dir)).toMatch(/gp\/fhir\/other\.yaml:1:\d+ — input: input must be fhir .* or csv/);
  });

  it('an unknown var and a ref to no key', () => {
    const dir = baseWith({ 'gp/fhir/extra.yaml': 'input: fhir\ntemplates:\n  Odd:\n    fields:\n      a: { var: practiceCode }\n      b: { ref: nobody }\n' });
    const text = loadError(dir);
    expect(text).toMatch(/extra\.yaml:5:\d+ — unknown var "practiceCode"/);
    expect(text).toMatch(/extra\.yaml:6:\d+ — ref "nobody" names no resource key/);
  });
});

describe('mapping FHIR input', () => {
  const mapper = createRecordMapper(loadMappingSet(mappingsDir));

  it('a bundle without the Patient the structure requires fails naming the entry file:line and the template', () => {
    const run = () => mapper.mapBundle('gp-connect', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Condition', id: 'c' } }] }, PRACTICE);
    expect(run).toThrow(MappingError);
    try {
      run();
    } catch (err) {
      expect((err as MappingError).message).toMatch(/has no Patient, which this mapping needs \(template GpPatient\)/);
      expect((err as MappingError).where).toMatch(/^mappings\/gp\/gp-connect\.yaml:\d+:\d+; input Patient$/);
    }
  });

  it('selects the NHS number with each + when, keys the Patient to it, reports unknown types and drops dangling references with a warning', () => {
    const result = mapper.mapBundle(
      'gp-connect',
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { resource: { ...patient, generalPractitioner: [{ reference: 'Practitioner/none' }] } },
          { resource: { resourceType: 'Flag', id: 'f1', status: 'active' } },
          { resource: { resourceType: 'Flag', id: 'f2', status: 'active' } },
          { fullUrl: 'urn:uuid:6d1c', resource: { resourceType: 'Practitioner', id: 'x', identifier: [{ system: 'https://fhir.nhs.uk/Id/sds-user-id', value: 'G1' }] } },
          { resource: { resourceType: 'Condition', id: 'c1', clinicalStatus: 'active', code: { text: 'Gout' }, subject: { reference: 'Patient/p1' }, asserter: { reference: 'urn:uuid:6d1c' } } },
        ],
      },
      PRACTICE,
    );
    const resources = (result.bundle.entry ?? []).map((e) => e.resource as any);
    const p = resources.find((r) => r.resourceType === 'Patient');
    expect(p.identifier).toEqual([{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9457306147' }, { system: 'https://fhir.nhs.uk/Id/local', value: 'L1' }]);
    const practitioner = resources.find((r) => r.resourceType === 'Practitioner');
    expect(resources.find((r) => r.resourceType === 'Condition').asserter).toEqual({ reference: `Practitioner/${practitioner.id}` });
    expect(p.generalPractitioner).toBeUndefined();
    expect(result.warnings).toEqual([
      expect.stringMatching(/^Patient\/p1\.generalPractitioner\.reference\[0\] \(\S+ at \S+\.yaml:\d+:\d+\): reference "Practitioner\/none" is to nothing this mapping makes a resource from; left out$/),
    ]);
    expect(result.unmapped).toEqual(expect.arrayContaining([{ path: 'Flag', count: 2 }]));
  });

  it('gives the Patient the id an HL7 v2 message about the same NHS number gives it', async () => {
    const { createMapper } = await import('../../src/mapping/index.js');
    const { parseMessage } = await import('../../src/hl7v2/index.js');
    const hl7 = createMapper(loadMappingSet(mappingsDir)).map(
      parseMessage('MSH|^~\\&|PAS|RGT|J|HIE|20240314093000||ADT^A01^ADT_A01|1|P|2.5\rPID|1||9457306147^^^NHS^NH||HARGREAVES^ELEANOR\rPV1|1|I|W1^B1^1^RGT||||||||||||||||V1'),
      channel('rgt-adt', 'RGT', 'CUH'),
    );
    const gp = mapper.mapBundle('gp-connect', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }] }, PRACTICE);
    const id = (r: typeof gp) => r.bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource?.id;
    expect(id(gp)).toBe(id(hl7));
  });
});

describe('CSV files', () => {
  it('reads quoted fields, doubled quotes, line breaks inside quotes, CRLF and a byte order mark; a short row is an error of its line', () => {
    const csv = parseCsv('\uFEFFNHS_Number,Note\r\n9457306147,"says ""hello"", twice"\r\n9721147834,"two\nlines"\r\n\r\nshort\r\n');
    expect(csv.header).toEqual(['nhs_number', 'note']);
    expect(csv.rows).toEqual([
      { line: 2, values: { nhs_number: '9457306147', note: 'says "hello", twice' } },
      { line: 3, values: { nhs_number: '9721147834', note: 'two\nlines' } },
    ]);
    expect(csv.errors).toEqual([{ line: 6, error: '1 fields, but the header names 2 columns' }]);
  });

  it('a row of a layout maps on its own; the layout is found from the header', () => {
    const mapper = createRecordMapper(loadMappingSet(mappingsDir));
    const header = ['nhs_number', 'local_patient_id', 'allergy_id', 'snomed_code', 'description', 'category', 'criticality', 'reaction', 'status', 'onset_date', 'recorded_date'];
    expect(mapper.layoutFor(header)?.structure).toBe('gp-csv-allergies');
    expect(mapper.layoutFor(['nhs_number'])).toBeUndefined();
    const values = Object.fromEntries(header.map((h) => [h, ''])) as Record<string, string>;
    Object.assign(values, { nhs_number: '9457306147', allergy_id: 'A1', snomed_code: '91936005', description: 'Allergy to penicillin', category: 'Drug', status: 'Active', extra: 'x' });
    const result = mapper.mapRow({ layout: 'gp-csv-allergies', file: 'a.csv', row: 2, values }, PRACTICE);
    const allergy = result.bundle.entry?.find((e) => e.resource?.resourceType === 'AllergyIntolerance')?.resource as any;
    expect(allergy.category).toEqual(['medication']);
    expect(allergy.clinicalStatus.coding[0].code).toBe('active');
    expect(result.unmapped).toEqual([{ path: 'extra', count: 1 }]);
    expect(result.preserve[0]?.elements).toContain('name');
  });
});

describe('dates from GP feeds are checked (fhir-date, fhir-dateTime, fhir-instant)', () => {
  const mapper = createRecordMapper(loadMappingSet(mappingsDir));
  const header = ['nhs_number', 'local_patient_id', 'problem_id', 'snomed_code', 'description', 'status', 'onset_date', 'end_date', 'recorded_date'];
  const row = (values: Record<string, string>) =>
    mapper.mapRow({ layout: 'gp-csv-problems', file: 'problems.csv', row: 7, values: { ...Object.fromEntries(header.map((h) => [h, ''])), nhs_number: '9457306147', problem_id: 'P1', snomed_code: '195967001', status: 'active', ...values } }, PRACTICE);
  const condition = (r: ReturnType<typeof row>) => r.bundle.entry?.find((e) => e.resource?.resourceType === 'Condition')?.resource as any;

  it('reads ISO dates and DD/MM/YYYY as English GP systems export them, and a time without an offset as UK local time', () => {
    const r = row({ onset_date: '1972', end_date: '03/07/1990', recorded_date: '2009-04-01 14:30' });
    expect(r.warnings).toEqual([]);
    expect(condition(r)).toMatchObject({ onsetDateTime: '1972', abatementDateTime: '1990-07-03', recordedDate: '2009-04-01T14:30:00+01:00' });
  });

  it('leaves a date that does not exist out, with a warning naming the row, the rule and its file:line; the row still maps', () => {
    const r = row({ onset_date: '31/02/2023', recorded_date: '2023-13-01' });
    const c = condition(r);
    expect(c.code.coding[0].code).toBe('195967001');
    expect(c.onsetDateTime).toBeUndefined();
    expect(c.recordedDate).toBeUndefined();
    expect(r.warnings).toEqual([
      expect.stringMatching(/^problems\.csv:7\.onset_date \(CsvProblem\.onsetDateTime at mappings\/gp\/csv\/problems\.yaml:\d+:\d+\): not a valid date\/time \(write YYYY-MM-DD, YYYY-MM, YYYY or DD\/MM\/YYYY, or YYYY-MM-DDThh:mm/),
      expect.stringMatching(/^problems\.csv:7\.recorded_date \(CsvProblem\.recordedDate at mappings\/gp\/csv\/problems\.yaml:\d+:\d+\): not a valid date\/time/),
    ]);
    expect(r.warnings.join(' ')).not.toContain('31/02/2023'); // a date may be a birth date: warnings name the place, not the value
  });

  it('a GP Connect birth date with a time, an Observation issued without a time, a bad Period end: each left out with a warning', () => {
    const result = mapper.mapBundle(
      'gp-connect',
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { resource: { ...patient, birthDate: '1958-03-21T00:00:00Z', name: [{ family: 'X', period: { start: '2001-01-01', end: '2001-02-29' } }] } },
          { resource: { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'BP' }, issued: '2024-01-05', effectiveDateTime: '2024-01-05T09:15:00Z' } },
        ],
      },
      PRACTICE,
    );
    const resources = (result.bundle.entry ?? []).map((e) => e.resource as any);
    const p = resources.find((r) => r.resourceType === 'Patient');
    const o = resources.find((r) => r.resourceType === 'Observation');
    expect(p.birthDate).toBeUndefined();
    expect(p.name[0].period).toEqual({ start: '2001-01-01' });
    expect(o.issued).toBeUndefined();
    expect(o.effectiveDateTime).toBe('2024-01-05T09:15:00Z');
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Patient\/p1\.birthDate \(GpPatient\.birthDate at mappings\/gp\/fhir\/patient\.yaml:\d+:\d+\): not a valid date \(write YYYY-MM-DD/),
        expect.stringMatching(/^Patient\/p1\.name\[0\]\.period\.end \(Period\.end at mappings\/gp\/fhir\/datatypes\.yaml:\d+:\d+\): not a valid date\/time/),
        expect.stringMatching(/^Observation\/o1\.issued \(GpObservation\.issued at mappings\/gp\/fhir\/problems\.yaml:\d+:\d+\): not a valid date\/time with a time of day/),
      ]),
    );
    expect(result.warnings).toHaveLength(3);
  });
});


describe('a channel overlay (its own folder) changes GP mappings by name, as for HL7 v2', () => {
  function overlay(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'junction-gp-overlay-'));
    temps.push(dir);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    return dir;
  }
  const problemRow = { nhs_number: '9457306147', local_patient_id: 'L1', problem_id: 'P1', snomed_code: '195967001', description: 'Asthma', status: 'Dormant', onset_date: '', end_date: '', recorded_date: '' };

  it('a template replaces the base template of its name; a concept map adds entries; a structure replaces the base structure', () => {
    const dir = overlay({
      // a FHIR template of a base name (GpPractitioner, defined in the base patient.yaml): this one is used instead
      'gp/fhir/patient.yaml':
        'input: fhir\ntemplates:\n  GpPractitioner:\n    resourceType: Practitioner\n    id:\n      parts: [{ var: odsCode }, { from: id }]\n      transform: { hash-id: { namespace: Practitioner } }\n    fields:\n      name:\n        - fields:\n            text: { const: Overlay clinician }\n',
      // a CSV template of a layout's own file, replaced from a file without structure: only that layout uses it
      'gp/csv/local.yaml':
        'input: csv\ntemplates:\n  CsvProblem:\n    resourceType: Condition\n    id:\n      parts: [{ var: personKey }, { from: problem_id }]\n      transform: { hash-id: { namespace: Condition } }\n    fields:\n      subject: { ref: patient }\n      code: { fields: { text: { from: description } } }\n      clinicalStatus:\n        fields:\n          coding:\n            - from: status\n              transform: [lowercase, { lookup: { map: gp-condition-clinical-status, output: coding } }]\n',
      'codesystems/gp-condition-clinical-status.yaml': 'id: gp-condition-clinical-status\ntarget: http://terminology.hl7.org/CodeSystem/condition-clinical\nentries:\n  dormant: { code: inactive, display: Inactive }\n',
      // the allergies layout replaced: its base file's templates (CsvAllergy) stay available by name
      'gp/csv/allergies.yaml':
        'input: csv\nstructure: gp-csv-allergies\ncolumns: [nhs_number, local_patient_id, allergy_id, snomed_code, description, severity]\nperson: { nhsNumber: nhs_number }\nresources:\n  - key: patient\n    template: CsvPatientStub\n    required: true\n',
    });
    const set = loadMappingSet(mappingsDir, [dir]);
    const mapper = createRecordMapper(set);
    const row = mapper.mapRow({ layout: 'gp-csv-problems', file: 'p.csv', row: 2, values: problemRow }, PRACTICE);
    const condition = row.bundle.entry?.find((e) => e.resource?.resourceType === 'Condition')?.resource as any;
    expect(condition.code).toEqual({ text: 'Asthma' });
    expect(condition.clinicalStatus.coding[0].code).toBe('inactive'); // Dormant: the overlay's entry
    expect(condition.clinicalStatus.coding[0].system).toBe('http://terminology.hl7.org/CodeSystem/condition-clinical');
    expect(row.warnings).toEqual([]);
    const bundle = mapper.mapBundle('gp-connect', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }, { resource: { resourceType: 'Practitioner', id: 'pr1' } }] }, PRACTICE);
    expect((bundle.bundle.entry ?? []).find((e) => e.resource?.resourceType === 'Practitioner')?.resource).toMatchObject({ name: [{ text: 'Overlay clinician' }] });
    expect(mapper.structure('gp-csv-allergies')?.columns).toContain('severity');
    expect(mapper.layoutFor(['nhs_number', 'local_patient_id', 'allergy_id', 'snomed_code', 'description', 'severity'])?.structure).toBe('gp-csv-allergies');
    // the base set is untouched
    const base = createRecordMapper(loadMappingSet(mappingsDir)).mapRow({ layout: 'gp-csv-problems', file: 'p.csv', row: 2, values: problemRow }, PRACTICE);
    expect(base.warnings).toEqual([expect.stringMatching(/code "dormant" is not in concept map gp-condition-clinical-status/)]);
  });

  it('two templates of one name in one folder are still a load error', () => {
    const dir = overlay({
      'gp/fhir/a.yaml': 'input: fhir\ntemplates:\n  Extra:\n    fields:\n      text: { from: .text }\n',
      'gp/fhir/b.yaml': 'input: fhir\ntemplates:\n  Extra:\n    fields:\n      text: { from: .text }\n',
    });
    try {
      loadMappingSet(mappingsDir, [dir]);
      throw new Error('expected a MappingLoadError');
    } catch (error) {
      expect(error).toBeInstanceOf(MappingLoadError);
      expect((error as Error).message).toMatch(/b\.yaml:3:\d+ — template Extra is defined twice for input fhir/);
    }
  });
});
