import type { AllergyIntolerance, BundleEntry, Condition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestData } from '../store/fixtures/store-inputs.js';
import { json } from './support/server.js';
import { type RunningStoreApi, startStoreApi } from './support/real-server.js';

const ids = (bundle: Record<string, any>): string[] => (bundle.entry ?? []).map((e: BundleEntry) => e.resource?.id).sort();

describe('clinical resources over the FHIR API (real store)', () => {
  let api: RunningStoreApi;
  let tick = Date.parse('2024-03-05T10:00:00Z');
  const data = new TestData();
  const [patient, other] = [data.id('pat'), data.id('pat')];
  const [depression, asthma] = [data.id('cond'), data.id('cond')];
  const penicillin = data.id('allergy');

  const condition = (id: string, subject: string, code: string, recordedDate: string): Condition => ({
    resourceType: 'Condition',
    id,
    subject: { reference: `Patient/${subject}` },
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
    recordedDate,
  });

  beforeAll(async () => {
    api = await startStoreApi(() => new Date((tick += 1000)));
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id: penicillin,
      patient: { reference: `Patient/${patient}` },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '764146007', display: 'Penicillin' }] },
      category: ['medication'],
      criticality: 'high',
    };
    await api.store.apply(data.message([data.patient(patient), condition(depression, patient, 'F32.1', '2024-03-01'), allergy]));
    await api.store.apply(data.message([data.patient(other), condition(asthma, other, 'J45.9', '2023-11-20')]));
  }, 60_000);
  afterAll(async () => api?.close());

  it('reads a Condition and finds conditions by patient, code and recorded date', async () => {
    const read = await api.fetch(`/fhir/Condition/${depression}`);
    expect(read.status).toBe(200);
    expect((await json(read)).code.coding[0].code).toBe('F32.1');

    expect(ids(await json(await api.fetch(`/fhir/Condition?patient=${patient}`)))).toEqual([depression]);
    expect(ids(await json(await api.fetch('/fhir/Condition?code=http://hl7.org/fhir/sid/icd-10|J45.9')))).toEqual([asthma]);
    expect(ids(await json(await api.fetch('/fhir/Condition?recorded-date=ge2024-01-01')))).toEqual([depression]);
    expect(ids(await json(await api.fetch('/fhir/Condition?category=encounter-diagnosis')))).toEqual([asthma, depression].sort());
  });

  it('finds allergies by patient, category and criticality', async () => {
    expect(ids(await json(await api.fetch(`/fhir/AllergyIntolerance?patient=Patient/${patient}`)))).toEqual([penicillin]);
    expect(ids(await json(await api.fetch('/fhir/AllergyIntolerance?category=medication&criticality=high')))).toEqual([penicillin]);
    expect(ids(await json(await api.fetch(`/fhir/AllergyIntolerance?patient=${other}`)))).toEqual([]);
  });

  it('names an unknown parameter of a clinical type', async () => {
    const response = await api.fetch('/fhir/Condition?severity=high');
    expect(response.status).toBe(400);
    expect((await json(response)).issue[0].diagnostics).toContain('severity');
  });
});
