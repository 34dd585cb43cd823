/**
 * The golden ADT fixtures applied in order to an embedded store, the way the engine applies them: what each
 * event leaves in the record (the golden files say what the mapper emits; this says what that does).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToText, parseMessage, toFhirDateTime } from '../../src/hl7v2/index.js';
import { recordsPayload } from '../../src/pipeline/payloads.js';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import type { RecordStore } from '../../src/store/types.js';
import { channel, createRepositoryMapper, hl7FixturesDir } from '../support/mapping-harness.js';

const RGT = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');
const mapper = createRepositoryMapper();
let store: RecordStore;
let close: () => Promise<void>;

beforeAll(async () => {
  const db = await openEmbeddedDatabase(undefined);
  store = await createRecordStore(db);
  close = () => db.close();
});
afterAll(async () => close?.());

/** Map and apply a fixture; returns the ids the mapper gave its Patient and Encounter. */
async function apply(name: string, text?: string): Promise<{ patient?: string; encounter?: string }> {
  const raw = text ?? fixture(name);
  const message = parseMessage(raw);
  const result = mapper.map(message, RGT);
  const evn = message.get('EVN-2');
  const eventTime = typeof evn === 'string' && evn !== '' ? toFhirDateTime(evn) : undefined;
  await store.apply(
    recordsPayload(
      {
        channelId: RGT.id,
        sender: 'rgt-adt|PAS|RGT',
        controlId: message.header.controlId ?? name,
        messageType: `ADT^${message.header.messageType.event ?? ''}^${message.header.messageType.structure ?? ''}`,
        receivedAt: new Date().toISOString(),
        ...(eventTime ? { eventTime } : {}),
      },
      raw,
      result,
    ),
  );
  const id = (type: string) => result.bundle.entry?.find((e) => e.resource?.resourceType === type)?.resource?.id;
  return { patient: id('Patient'), encounter: id('Encounter') };
}

function fixture(name: string): string {
  return bytesToText(readFileSync(join(hl7FixturesDir, `${name}.hl7`)));
}

async function patientByMrn(mrn: string): Promise<Patient> {
  const found = await store.search('Patient', {
    criteria: [{ param: 'identifier', values: [{ type: 'token', system: 'https://junction.nhs.uk/Id/RGT/mr', code: mrn }] }],
    count: 10,
    offset: 0,
  });
  expect(found.resources).toHaveLength(1);
  return found.resources[0] as Patient;
}

describe('ADT events applied to the store', () => {
  it('a visit: admit with NK1 and PV2, then tracking, pending and cancelled pending discharge keep its reason and contacts', async () => {
    const { encounter } = await apply('adt-a01-admit-full');
    await apply('adt-a09-patient-departing');
    await apply('adt-a10-patient-arriving');
    await apply('adt-a16-pending-discharge');
    let held = (await store.read('Encounter', encounter ?? '')) as Encounter;
    expect(held.reasonCode).toEqual([{ text: 'Fall at home, suspected fractured neck of femur' }]);
    expect(held.extension?.[0]?.valueDateTime).toBe('2024-04-09T11:00:00+01:00'); // the A16's expected discharge
    await apply('adt-a25-cancel-pending-discharge');
    held = (await store.read('Encounter', encounter ?? '')) as Encounter;
    expect(held.extension).toBeUndefined();
    expect(held.status).toBe('in-progress');
    const patient = await patientByMrn('RGT2000011');
    expect(patient.contact?.map((c) => c.name?.family)).toEqual(['HOLLOWAY', 'FIELD']);
  });

  it('a discharge cancelled (A13 carrying the cancelled discharge time): the visit is open again, in its bed', async () => {
    const { encounter } = await apply('adt-a03-discharge');
    let held = (await store.read('Encounter', encounter ?? '')) as Encounter;
    expect([held.status, held.period?.end, held.location?.[0]?.status]).toEqual(['finished', '2024-03-20T14:30:00+00:00', 'completed']);
    await apply('adt-a13-cancel-discharge-sent-end');
    held = (await store.read('Encounter', encounter ?? '')) as Encounter;
    expect([held.status, held.period?.end, held.location?.[0]?.status]).toEqual(['in-progress', undefined, 'active']);
    expect(held.hospitalization?.dischargeDisposition).toBeUndefined();
  });

  it('a pre-admit cancelled: the same Encounter ends cancelled', async () => {
    const { encounter } = await apply('adt-a05-preadmit');
    await apply('adt-a38-cancel-preadmit');
    expect(((await store.read('Encounter', encounter ?? '')) as Encounter).status).toBe('cancelled');
  });

  it('A28 then A31 without NK1: the new address is kept and so is the contact', async () => {
    await apply('adt-a28-add-person');
    await apply('adt-a31-update-person');
    const patient = await patientByMrn('RGT2000055');
    expect(patient.address?.[0]?.postalCode).toBe('CB3 1SE');
    expect(patient.contact?.[0]?.name?.family).toBe('BENNETT');
  });

  it('A47: the record registered under the mistyped number keeps its id, gains the right numbers and keeps the wrong one as old', async () => {
    // Mr Wright as the PAS first registered him: under the mistyped hospital number only, no NHS number yet
    const a47 = fixture('adt-a47-change-identifier');
    const pid = a47.split('\r').find((s) => s.startsWith('PID|')) ?? '';
    const mistyped = pid.replace(/^PID\|1\|\|[^|]*\|/, 'PID|1||RGT2000077^^^RGT^MR|');
    const registered = await apply('registered', ['MSH|^~\\&|PAS|RGT|ROUTE|ROUTE|20240701090000||ADT^A28^ADT_A05|RGT099999|P|2.4', 'EVN|A28|20240701090000', mistyped, 'PV1|1|N'].join('\r'));
    await apply('adt-a47-change-identifier');
    const patient = await patientByMrn('RGT2000066');
    expect(patient.id).toBe(registered.patient);
    const ids = patient.identifier?.map((i) => `${i.use ?? 'usual'}:${i.value}`);
    expect(ids).toEqual(['old:RGT2000077', 'usual:9991709703', 'usual:RGT2000066']);
    expect((await patientByMrn('RGT2000077')).id).toBe(patient.id); // the old number still finds him
  });
});
