/**
 * Every mapping problem met while mapping a message names the mapping file:line, the rule (template and
 * field) and the place in the message (segment-field).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/hl7v2/index.js';
import { createMapper, loadMappingSet, MappingError } from '../../src/mapping/index.js';
import { createRecordMapper } from '../../src/mapping/record-mapper.js';
import { adt } from '../support/messages.js';
import { channel, mappingsDir } from '../support/mapping-harness.js';

const RGT = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');
const mapper = createMapper(loadMappingSet(mappingsDir));
const dir = mkdtempSync(join(tmpdir(), 'junction-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1-based line of the first line of a mapping file containing `text`. */
function lineOf(relative: string, text: string): number {
  const line = readFileSync(join(mappingsDir, relative), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
  expect(line, `${text} in ${relative}`).toBeGreaterThan(0);
  return line;
}

/** The message with one field of one segment replaced (field numbers as in HL7: PID-7 is index 7). */
function withField(message: string, segment: string, field: number, value: string): string {
  return message
    .split('\r')
    .map((s) => {
      if (!s.startsWith(`${segment}|`)) return s;
      const parts = s.split('|');
      while (parts.length <= field) parts.push('');
      parts[field] = value;
      return parts.join('|');
    })
    .join('\r');
}

function mapError(run: () => unknown): MappingError {
  try {
    run();
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
  throw new Error('expected a MappingError');
}

describe('mapping problems name file:line, rule and message place', () => {
  it('a required segment that is missing', () => {
    const noPid = adt().split('\r').filter((s) => !s.startsWith('PID|')).join('\r');
    const err = mapError(() => mapper.map(parseMessage(noPid), RGT));
    expect(err.message).toMatch(/no PID segment.*template Patient/);
    expect(err.where).toMatch(new RegExp(`hl7v2/messages/ADT_A01\\.yaml:${lineOf('hl7v2/messages/ADT_A01.yaml', 'key: patient')}:\\d+; message segment PID$`));
  });

  it('a transform that cannot read its value (date)', () => {
    const result = mapper.map(parseMessage(withField(adt(), 'PID', 7, '1970-13-45')), RGT);
    const line = lineOf('hl7v2/segments/PID.yaml', 'birthDate:') + 1;
    expect(result.warnings).toContainEqual(
      expect.stringMatching(new RegExp(`^PID-7 \\(Patient\\.birthDate at mappings/hl7v2/segments/PID\\.yaml:${line}:\\d+\\): not a valid HL7 date`)),
    );
  });

  it('a lookup that finds no code (warn: true, the default)', () => {
    const result = mapper.map(parseMessage(withField(adt(), 'PID', 8, 'Z')), RGT);
    const line = lineOf('hl7v2/segments/PID.yaml', 'gender:') + 1;
    expect(result.warnings).toContainEqual(
      `PID-8 (Patient.gender at mappings/hl7v2/segments/PID.yaml:${line}:9): code "Z" is not in concept map administrative-gender (mappings/codesystems/administrative-gender.yaml); left out`,
    );
  });

  it('a value read inside a datatype template names the repetition it came from', () => {
    const result = mapper.map(parseMessage(withField(adt({ nhsNumber: '1234567890' }), 'PID', 3, '9434765919^^^NHS^NH~1234567890^^^NHS^NH~RGT1^^^RGT^MR')), RGT);
    expect(result.warnings).toContainEqual(expect.stringMatching(/^PID-3\[2\]\.1 \(NhsNumberIdentifier\.value at mappings\/hl7v2\/datatypes\/CX\.yaml:\d+:\d+\): not a valid NHS number/));
  });

  it('a resource rule whose template finds no id', () => {
    const result = mapper.map(parseMessage(withField(adt(), 'PV1', 7, '^PATEL^ANITA')), RGT);
    expect(result.warnings).toContainEqual(
      expect.stringMatching(/^PV1-7: no Practitioner made: template Practitioner found no identifier for its id \(Participant\.individual at mappings\/hl7v2\/datatypes\/XCN\.yaml:\d+:\d+, template Practitioner at mappings\/hl7v2\/datatypes\/XCN\.yaml:\d+:\d+\)$/),
    );
  });

  it('a resource template that makes an id that is not a FHIR id', () => {
    const copy = join(dir, 'bad-id');
    cpSync(mappingsDir, copy, { recursive: true });
    const pid = join(copy, 'hl7v2', 'segments', 'PID.yaml');
    writeFileSync(pid, readFileSync(pid, 'utf8').replace('transform: { hash-id: { namespace: Patient } }', 'transform: uppercase'));
    const line = readFileSync(pid, 'utf8').split('\n').findIndex((l) => l.includes('var: personKey')) + 1;
    const err = mapError(() => createMapper(loadMappingSet(copy)).map(parseMessage(adt()), RGT));
    expect(err.message).toMatch(/template Patient made an id that is not a valid FHIR id.*hash-id/);
    expect(err.where).toMatch(new RegExp(`bad-id/hl7v2/segments/PID\\.yaml:${line}:\\d+ \\(Patient\\.id\\); message segment PID$`));
  });

  it('a GP record template that makes an id that is not a FHIR id names the id rule and the input record', () => {
    const copy = join(dir, 'bad-gp-id');
    cpSync(mappingsDir, copy, { recursive: true });
    const patient = join(copy, 'gp', 'fhir', 'patient.yaml');
    writeFileSync(patient, readFileSync(patient, 'utf8').replace('transform: { hash-id: { namespace: Patient } }', 'transform: uppercase'));
    const line = readFileSync(patient, 'utf8').split('\n').findIndex((l) => l.includes('var: personKey')) + 1;
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9457306147' }] } }] };
    const err = mapError(() => createRecordMapper(loadMappingSet(copy)).mapBundle('gp-connect', bundle, channel('histon-gp', 'D81025', 'Histon Road Surgery')));
    expect(err.message).toMatch(/template GpPatient made an id that is not a valid FHIR id/);
    expect(err.where).toMatch(new RegExp(`bad-gp-id/gp/fhir/patient\\.yaml:${line}:\\d+ \\(GpPatient\\.id\\); input record Patient/p1$`));
  });
});
