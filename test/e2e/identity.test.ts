import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provenanceId } from '../../src/store/provenance.js';
import { eventually, getJson, startTestEngine, type TestEngine } from '../support/engine.js';
import { adt } from '../support/messages.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

const MRN = 'https://junction.nhs.uk/Id/RGT/mr';
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
let t: TestEngine;

async function send(message: string): Promise<string | undefined> {
  const client = await RawMllpClient.connect(t.mllpPort);
  try {
    await client.write(frame(message));
    const [ack] = await client.waitFor(1);
    return readAck(ack ?? '').code;
  } finally {
    client.destroy();
  }
}

async function search(query: string): Promise<any[]> {
  const { status, body } = await getJson(`${t.baseUrl}/fhir/${query}`);
  expect(status).toBe(200);
  return (body.entry ?? []).map((e: any) => e.resource);
}

describe('identity end to end: an A40 merge over MLLP', () => {
  beforeAll(async () => {
    t = await startTestEngine();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('retires the merged record, repoints its encounter and finds the survivor by the old hospital number', async () => {
    expect(await send(adt({ controlId: 'SURV1', nhsNumber: '9434765919', mrn: 'SURV001', visitNumber: 'VS1', eventTime: '20261126090000' }))).toBe('AA');
    expect(await send(adt({ controlId: 'RETI1', nhsNumber: '', mrn: 'RETI001', visitNumber: 'VR1', eventTime: '20261126091000' }))).toBe('AA');
    const retired = await eventually(async () => (await search(`Patient?identifier=${MRN}|RETI001`))[0], 15_000, 'the second record');
    const survivor = await eventually(async () => (await search(`Patient?identifier=${NHS}|9434765919`))[0], 15_000, 'the first record');
    expect(retired.id).not.toBe(survivor.id);

    expect(await send(adt({ event: 'A40', controlId: 'MERGE1', nhsNumber: '9434765919', mrn: 'SURV001', merged: { mrn: 'RETI001' }, eventTime: '20261126100000' }))).toBe('AA');
    const byOld = await eventually(async () => {
      const found = await search(`Patient?identifier=${MRN}|RETI001`);
      return found.some((p) => p.id === survivor.id) ? found : undefined;
    }, 15_000, 'the merge');

    const current = byOld.filter((p) => p.active !== false);
    expect(current.map((p) => p.id)).toEqual([survivor.id]);
    expect(current[0].link).toEqual([{ other: { reference: `Patient/${retired.id}` }, type: 'replaces' }]);
    const old = byOld.find((p) => p.id === retired.id);
    expect(old).toMatchObject({ active: false, link: [{ other: { reference: `Patient/${survivor.id}` }, type: 'replaced-by' }] });

    const encounters = await search(`Encounter?patient=Patient/${survivor.id}`);
    expect(encounters.map((e) => e.identifier?.[0]?.value).sort()).toEqual(['VR1', 'VS1']);
    expect(await search(`Encounter?patient=Patient/${retired.id}`)).toEqual([]);

    const provenance = await getJson(`${t.baseUrl}/fhir/Provenance/${provenanceId('rgt-adt|PAS|RGT', 'MERGE1')}`);
    expect(provenance.status).toBe(200);
    expect(provenance.body.activity.coding[0].code).toBe('A40');
    expect(provenance.body.target.map((r: any) => r.reference.split('/_history/')[0])).toEqual(
      expect.arrayContaining([`Patient/${survivor.id}`, `Patient/${retired.id}`]),
    );
  });
});
