import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adt } from '../support/messages.js';
import { eventually, freshSchema, getJson, startTestEngine, type TestEngine, type TestEngineOptions } from '../support/engine.js';
import { integrationUrl } from '../support/integration.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

const NHS = '9434765919';
let t: TestEngine;

async function send(message: string): Promise<ReturnType<typeof readAck>> {
  const client = await RawMllpClient.connect(t.mllpPort);
  try {
    await client.write(frame(message));
    const [ack] = await client.waitFor(1);
    return readAck(ack ?? '');
  } finally {
    client.destroy();
  }
}

async function patientByNhs(): Promise<any> {
  const { body } = await getJson(`${t.baseUrl}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${NHS}`);
  return body;
}

async function encounterOf(patientId: string): Promise<any | undefined> {
  const { body } = await getJson(`${t.baseUrl}/fhir/Encounter?patient=Patient/${patientId}`);
  return body.entry?.[0]?.resource;
}

const postgresUrl = integrationUrl('JUNCTION_TEST_DATABASE_URL', 'walking skeleton on PostgreSQL');
const stores: [string, () => TestEngineOptions][] = [
  ['embedded PGlite', () => ({})],
  ...(postgresUrl ? [['PostgreSQL server', () => ({ postgres: { url: postgresUrl, schema: freshSchema('junction_e2e') } })] as [string, () => TestEngineOptions]] : []),
];

describe.each(stores)('walking skeleton: ADT over MLLP becomes readable FHIR (%s)', (_name, options) => {
  beforeAll(async () => {
    t = await startTestEngine(options());
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('acknowledges an A01 with AA and makes the Patient readable by NHS number', async () => {
    const ack = await send(adt({ event: 'A01', controlId: 'ADM0001' }));
    expect(ack.code).toBe('AA');
    expect(ack.controlId).toBe('ADM0001');

    const bundle = await eventually(async () => {
      const b = await patientByNhs();
      return b.total === 1 ? b : undefined;
    }, 15_000, 'the admitted patient to be readable');
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('searchset');
    const patient = bundle.entry[0].resource;
    expect(patient.identifier).toEqual(expect.arrayContaining([expect.objectContaining({ system: 'https://fhir.nhs.uk/Id/nhs-number', value: NHS })]));
    expect(patient.name[0]).toMatchObject({ family: 'SMITH', given: expect.arrayContaining(['JOHN']) });
    expect(patient.birthDate).toBe('1970-01-01');
    expect(patient.gender).toBe('male');
    expect(patient.address[0]).toMatchObject({ postalCode: 'CB2 0QQ', city: 'CAMBRIDGE' });
    expect(patient.meta.versionId).toBe('1');

    const read = await getJson(`${t.baseUrl}/fhir/Patient/${patient.id}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(patient.id);

    const encounter = await eventually(() => encounterOf(patient.id), 10_000, 'the encounter');
    expect(encounter.status).toBe('in-progress');
    expect(encounter.class.code).toBe('IMP');
    expect(encounter.meta.versionId).toBe('1');
  });

  it('an A03 for the same visit finishes the Encounter as version 2 and leaves the Patient at version 1', async () => {
    const ack = await send(adt({ event: 'A03', controlId: 'DIS0001', discharged: '20261128143000', eventTime: '20261128143000' }));
    expect(ack.code).toBe('AA');
    const patient = (await patientByNhs()).entry[0].resource;
    const encounter = await eventually(async () => {
      const e = await encounterOf(patient.id);
      return e?.status === 'finished' ? e : undefined;
    }, 15_000, 'the encounter to finish');
    expect(encounter.meta.versionId).toBe('2');
    expect(encounter.period.end).toMatch(/^2026-11-28T14:30:00/);
    const again = (await patientByNhs()).entry[0].resource;
    expect(again.meta.versionId).toBe('1');
  });

  it('the same message sent twice is acknowledged twice and creates no new version', async () => {
    // event time after the A03's: an older update would not overwrite newer demographics (DESIGN.md, Identity)
    const message = adt({ event: 'A08', controlId: 'UPD0001', family: 'SMYTHE', eventTime: '20261129100000' });
    expect((await send(message)).code).toBe('AA');
    const patient = await eventually(async () => {
      const p = (await patientByNhs()).entry[0].resource;
      return p.name[0].family === 'SMYTHE' ? p : undefined;
    }, 15_000, 'the update');
    expect(patient.meta.versionId).toBe('2');
    const before = await encounterOf(patient.id);
    expect((await send(message)).code).toBe('AA');
    // a later, different message for the same patient is applied after the duplicate (per-patient order),
    // so once it is visible the duplicate has been handled too
    expect((await send(adt({ event: 'A08', controlId: 'UPD0002', family: 'SMYTHE', ward: 'WARD6', eventTime: '20261129100000' }))).code).toBe('AA');
    await eventually(async () => {
      const e = await encounterOf(patient.id);
      return e && e.location?.[0]?.location?.reference !== before.location?.[0]?.location?.reference ? e : undefined;
    }, 15_000, 'the second update');
    const after = (await patientByNhs()).entry[0].resource;
    expect(after.meta.versionId).toBe('2');
    const history = await t.engine.store.read('Patient', patient.id);
    expect(history?.meta?.versionId).toBe('2');
  });
});
