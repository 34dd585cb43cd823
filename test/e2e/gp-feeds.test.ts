/**
 * GP feeds end to end: a patient known from an ADT A01 over MLLP, then a GP Connect structured record POSTed to
 * /channels/<id>/bundle and CSV extracts dropped in a watched folder for the same NHS number, land on ONE
 * Patient, with identifiers from every source, and $everything holds the GP data.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provenanceId } from '../../src/store/provenance.js';
import { eventually, getJson, REPO_ROOT, startTestEngine, type TestEngine, type TestEngineOptions } from '../support/engine.js';
import { integrationUrl } from '../support/integration.js';
import { freshSchema } from '../support/postgres-schema.js';
import { adt } from '../support/messages.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

const NHS = '9457306147';
const NHS_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
const TOKEN = 'gp-connect-test-token-0123456789';
const fixture = (name: string) => join(REPO_ROOT, 'fixtures/gp', name);
const bundle = readFileSync(fixture('gp-connect-structured-record.json'), 'utf8');
let t: TestEngine;
let drop: string;

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; messageId: string | null }> {
  const res = await fetch(`${t.baseUrl}/channels/gp-connect/bundle`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/fhir+json', ...headers },
    body,
  });
  return { status: res.status, body: await res.json(), messageId: res.headers.get('x-junction-message-id') };
}

async function patients(): Promise<any[]> {
  const { body } = await getJson(`${t.baseUrl}/fhir/Patient?identifier=${NHS_SYSTEM}|${NHS}`);
  return (body.entry ?? []).map((e: any) => e.resource);
}

const postgresUrl = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'GP feeds on PostgreSQL and RabbitMQ');
const amqpUrl = integrationUrl('JUNCTION_TEST_AMQP_URL', 'GP feeds on PostgreSQL and RabbitMQ');
const backends: [string, () => TestEngineOptions][] = [
  ['embedded PGlite and journal', () => ({})],
  ...(postgresUrl && amqpUrl
    ? [
        [
          'PostgreSQL and RabbitMQ',
          () => ({
            postgres: { url: postgresUrl, schema: freshSchema('junction_gp') },
            amqp: { url: amqpUrl, queuePrefix: `gp${Date.now().toString(36)}` },
          }),
        ] as [string, () => TestEngineOptions],
      ]
    : []),
];

describe.each(backends)('GP feeds reach the Patient an ADT feed made (%s)', (_name, backend) => {
  beforeAll(async () => {
    drop = mkdtempSync(join(tmpdir(), 'junction-gp-drop-'));
    t = await startTestEngine({
      ...backend(),
      extraChannels: `
  - id: gp-connect
    name: GP Connect structured records
    organisation: { odsCode: D81025, name: Histon Road Surgery }
    source: { type: http, token: ${TOKEN}, maxBodyBytes: 200000 }
  - id: gp-csv
    name: GP practice CSV extracts
    organisation: { odsCode: D81025, name: Histon Road Surgery }
    source: { type: file-drop, path: ${drop}, format: csv, pollMs: 100 }
`,
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    rmSync(drop, { recursive: true, force: true });
  });

  it('refuses a request without the channel token before reading it, and says how to fix wrong input', async () => {
    expect((await post(bundle, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    expect((await post(bundle, { 'content-type': 'text/plain' })).status).toBe(415);
    const notJson = await post('{"resourceType":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.resourceType).toBe('OperationOutcome');
    const noPatient = await post(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Condition' } }] }));
    expect(noPatient.status).toBe(422);
    expect(noPatient.body.issue[0].diagnostics).toMatch(/no Patient/);
    expect((await post('x'.repeat(300_000))).status).toBe(413);
  });

  it('one Patient holds the hospital, GP Connect and CSV identifiers, and $everything the GP record', async () => {
    const client = await RawMllpClient.connect(t.mllpPort);
    try {
      await client.write(frame(adt({ controlId: 'GPE2E1', nhsNumber: NHS, mrn: 'RGT7654321', family: 'HARGREAVES', given: 'ELEANOR', eventTime: '20261101090000' })));
      expect(readAck((await client.waitFor(1))[0] ?? '').code).toBe('AA');
    } finally {
      client.destroy();
    }
    const hospital = await eventually(async () => (await patients())[0], 15_000, 'the ADT patient');

    const accepted = await post(bundle);
    expect(accepted.status).toBe(202);
    expect(accepted.body.issue[0].severity).toBe('information');
    expect(accepted.messageId).toMatch(/^[0-9a-f]{32}$/);

    copyFileSync(fixture('problems.csv'), join(drop, 'problems.csv'));
    // a file moves last, after its report: one row's NHS number fails the check, but it has a local id, so it is accepted
    const done = join(drop, 'done', 'problems.csv.report.csv');
    await eventually(async () => (existsSync(join(drop, 'done', 'problems.csv')) || existsSync(join(drop, 'error', 'problems.csv')) ? true : undefined), 15_000, 'the CSV file to finish');
    expect(existsSync(done)).toBe(true);
    const lines = readFileSync(done, 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toBe('line,status,detail');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);

    const found = await eventually(async () => {
      const list = await patients();
      const systems = list.flatMap((p) => (p.identifier ?? []).map((i: any) => i.system));
      return systems.includes('https://junction.nhs.uk/Id/D81025/local-patient-id') ? list : undefined;
    }, 20_000, 'the CSV identifiers on the patient');
    expect(found).toHaveLength(1);
    const patient = found[0];
    expect(patient.id).toBe(hospital.id);
    expect(patient.identifier.map((i: any) => `${i.system}|${i.value}`)).toEqual(
      expect.arrayContaining([`${NHS_SYSTEM}|${NHS}`, 'https://junction.nhs.uk/Id/RGT/mr|RGT7654321', 'https://junction.nhs.uk/Id/D81025/local-patient-id|HRS-004512']),
    );
    expect(patient.name[0].family).toBe('Hargreaves'); // the GP record is newer than the admission, and the CSV row preserves it

    const everything = await eventually(async () => {
      const { body } = await getJson(`${t.baseUrl}/fhir/Patient/${patient.id}/$everything`);
      const types = new Set((body.entry ?? []).map((e: any) => e.resource.resourceType));
      return ['AllergyIntolerance', 'MedicationStatement', 'Immunization', 'Observation', 'Encounter'].every((x) => types.has(x)) ? body : undefined;
    }, 20_000, 'the GP record in $everything');
    const conditions = everything.entry.map((e: any) => e.resource).filter((r: any) => r.resourceType === 'Condition');
    expect(conditions.map((c: any) => c.identifier[0].value).sort()).toEqual(
      ['2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f', '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', 'P-1001', 'P-1002'].sort(),
    );
    expect(everything.entry.some((e: any) => e.resource.resourceType === 'Encounter' && e.resource.class.code === 'IMP')).toBe(true);

    // GP channels are counted like MLLP channels (a CSV row is one message), and CSV rows by outcome
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^junction_messages_received_total\{channel="gp-connect"\} [1-9]/m);
    expect(metrics).toMatch(/^junction_messages_acknowledged_total\{channel="gp-connect"\} 1$/m);
    expect(metrics).toMatch(/^junction_messages_failed_total\{channel="gp-connect",where="intake"\} [1-9]/m); // the 422s above
    expect(metrics).toMatch(/^junction_messages_acknowledged_total\{channel="gp-csv"\} 4$/m);
    expect(metrics).toMatch(/^junction_gp_csv_rows_total\{channel="gp-csv",outcome="accepted"\} 4$/m);

    const provenance = await getJson(`${t.baseUrl}/fhir/Provenance/${provenanceId('gp-connect|gp-connect', accepted.messageId as string)}`);
    expect(provenance.status).toBe(200);
    expect(provenance.body.entity[0].what.identifier.system).toBe('https://junction.nhs.uk/Id/message/gp-connect');
  }, 60_000);

  it('moves a CSV file no layout fits to error/ with a report naming the layouts', async () => {
    writeFileSync(join(drop, 'unknown.csv'), 'surname,forename\r\nSmith,Anne\r\n');
    const report = join(drop, 'error', 'unknown.csv.report.csv');
    await eventually(async () => (existsSync(join(drop, 'error', 'unknown.csv')) ? true : undefined), 10_000, 'the bad file to be reported');
    expect(readFileSync(report, 'utf8')).toMatch(/no CSV layout has the columns of this header \(surname, forename\); the layouts are: gp-csv-allergies/);
    expect(existsSync(join(drop, 'error', 'unknown.csv'))).toBe(true);
  });
});
