import { readFileSync } from 'node:fs';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyInput } from '../../src/store/types.js';
import { TestData } from '../store/fixtures/store-inputs.js';
import { json } from './support/server.js';
import { type RunningStoreApi, startStoreApi } from './support/real-server.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** The mapper's own output for an A01 (golden fixture), applied as the pipeline would. */
function admitMessage(): ApplyInput {
  const expected = JSON.parse(readFileSync(new URL('../../fixtures/hl7v2/adt-a01-admit.expected.json', import.meta.url), 'utf8')) as {
    bundle: Bundle;
  };
  return {
    source: {
      channelId: 'adt',
      sender: 'adt|EPIC|RGT',
      controlId: 'RGT000101',
      messageType: 'ADT^A01^ADT_A01',
      eventTime: '2024-03-14T09:30:00Z',
      receivedAt: '2024-03-14T09:30:12Z',
    },
    raw: readFileSync(new URL('../../fixtures/hl7v2/adt-a01-admit.hl7', import.meta.url), 'utf8'),
    bundle: expected.bundle,
    preserve: [],
    labels: [],
    unmapped: [],
    warnings: [],
  };
}

const ids = (bundle: Record<string, any>): string[] =>
  (bundle.entry ?? []).filter((e: BundleEntry) => e.search?.mode === 'match').map((e: BundleEntry) => e.resource?.id);

describe('FHIR search over the real store', () => {
  let api: RunningStoreApi;
  let tick = Date.parse('2024-03-14T10:00:00Z');
  const data = new TestData();
  let patientId = '';
  let encounterId = '';
  const find = async (path: string) => {
    const response = await api.fetch(path);
    expect(response.status).toBe(200);
    return json(response);
  };

  beforeAll(async () => {
    api = await startStoreApi(() => new Date((tick += 1000)));
    await api.store.apply(admitMessage());
    const found = await json(await api.fetch(`/fhir/Patient?identifier=${encodeURIComponent(`${NHS}|9434765919`)}`));
    patientId = found.entry[0].resource.id;
    encounterId = (await json(await api.fetch(`/fhir/Encounter?patient=${patientId}`))).entry[0].resource.id;
  }, 60_000);
  afterAll(() => api.close());

  it('finds the mapped patient by every Patient parameter', async () => {
    const gp = (await find(`/fhir/Organization?identifier=${encodeURIComponent(`${ODS}|D81002`)}`)).entry[0].resource.id;
    for (const query of [
      `identifier=${encodeURIComponent(`${NHS}|9434765919`)}`,
      'identifier=RGT1234567',
      'family=smi',
      'family:exact=SMITH',
      'given=paul',
      'name=mr',
      'birthdate=1965-04-12',
      'birthdate=ge1965&birthdate=lt1966',
      'gender=male',
      'address-postalcode=CB2',
      `general-practitioner=Organization/${gp}`,
      `general-practitioner=${gp}`,
      `_id=${patientId}`,
      '_lastUpdated=gt2024-01-01',
    ]) {
      expect(ids(await find(`/fhir/Patient?${query}`)), query).toEqual([patientId]);
    }
    expect(ids(await find('/fhir/Patient?gender=female'))).toEqual([]);
    expect(ids(await find('/fhir/Patient?_lastUpdated=lt2024-01-01'))).toEqual([]);
  });

  it('finds the mapped encounter by every Encounter parameter', async () => {
    const encounter = (await find(`/fhir/Encounter/${encounterId}`)) as Record<string, any>;
    const location = encounter.location[0].location.reference as string;
    const provider = encounter.serviceProvider.reference as string;
    for (const query of [
      `patient=${patientId}`,
      `patient=Patient/${patientId}`,
      `subject=Patient/${patientId}`,
      'status=in-progress',
      'class=IMP',
      'class=http://terminology.hl7.org/CodeSystem/v3-ActCode|IMP',
      'date=sa2024-03-13',
      'date=ge2024-03-01',
      `location=${location}`,
      `location=${location.split('/')[1]}`,
      `service-provider=${provider}`,
      'identifier=V00012345',
    ]) {
      expect(ids(await find(`/fhir/Encounter?${query}`)), query).toEqual([encounterId]);
    }
    expect(ids(await find('/fhir/Encounter?class=EMER'))).toEqual([]);
    expect(ids(await find('/fhir/Encounter?date=lt2024-03-01'))).toEqual([]);
  });

  it('reads and searches Organization, Practitioner and Location', async () => {
    const org = await find(`/fhir/Organization?identifier=${encodeURIComponent(`${ODS}|RGT`)}`);
    expect(org.total).toBe(1);
    expect(org.entry[0].resource.name).toBe('Cambridge University Hospitals NHS Foundation Trust');
    expect(ids(await find('/fhir/Organization?name=cambridge'))).toEqual([org.entry[0].resource.id]);
    const practitioner = await find('/fhir/Practitioner?identifier=https://fhir.hl7.org.uk/Id/gmc-number|4567890');
    expect(practitioner.total).toBe(1);
    const read = await find(`/fhir/Practitioner/${practitioner.entry[0].resource.id}`);
    expect(read.name[0].family).toBe('PATEL');
    const location = await find('/fhir/Location?name=d5');
    expect(location.total).toBe(1);
    expect((await find(`/fhir/Location/${location.entry[0].resource.id}`)).resourceType).toBe('Location');
  });

  it('includes the patients of the matched encounters, outside the total', async () => {
    const bundle = await find(`/fhir/Encounter?patient=${patientId}&_include=Encounter:patient`);
    expect(bundle.total).toBe(1);
    expect(bundle.entry.map((e: BundleEntry) => [e.resource?.resourceType, e.search?.mode])).toEqual([
      ['Encounter', 'match'],
      ['Patient', 'include'],
    ]);
    expect(bundle.entry[1].fullUrl).toBe(`${api.origin}/fhir/Patient/${patientId}`);
  });

  it('answers _summary=count with the total only', async () => {
    const bundle = await find('/fhir/Patient?family=smith&_summary=count');
    expect(bundle.total).toBe(1);
    expect(bundle.entry).toBeUndefined();
  });

  describe('sorting and paging', () => {
    const family = `Page${data.run}`;
    const born = ['1990-01-01', '1950-06-01', '1970-03-03', '1950-06-01', '2001-09-09'];
    const created: string[] = [];
    beforeAll(async () => {
      for (const birthDate of born) {
        const id = data.id('pp');
        created.push(id);
        await api.store.apply(data.message([data.patient(id, { name: [{ family }], birthDate })]));
      }
    }, 60_000);

    const walk = async (first: string) => {
      const seen: string[] = [];
      let next: string | undefined = first;
      for (let pages = 0; next !== undefined && pages < 10; pages++) {
        const bundle = await find(next.replace(api.origin, ''));
        seen.push(...ids(bundle));
        next = bundle.link.find((l: { relation: string }) => l.relation === 'next')?.url;
      }
      return seen;
    };

    it('sorts by birthdate, family, _id and _lastUpdated', async () => {
      const byBirth = created.map((id, i) => [born[i] ?? '', id] as const).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1));
      expect(ids(await find(`/fhir/Patient?family=${family}&_sort=birthdate`))).toEqual(byBirth.map(([, id]) => id));
      expect(ids(await find(`/fhir/Patient?family=${family}&_sort=-_lastUpdated`))).toEqual([...created].reverse());
      expect(ids(await find(`/fhir/Patient?family=${family}&_sort=_lastUpdated`))).toEqual(created);
      expect(ids(await find(`/fhir/Patient?family=${family}&_sort=-_id`))).toEqual([...created].sort().reverse());
      expect(ids(await find(`/fhir/Patient?family=${family}&_sort=family,_id`))).toEqual([...created].sort());
    });

    it('follows cursor next links through every page, none skipped or repeated, across inserts', async () => {
      const first = await find(`/fhir/Patient?family=${family}&_sort=_lastUpdated&_count=2`);
      expect(first.total).toBe(5);
      const next = first.link.find((l: { relation: string }) => l.relation === 'next')?.url as string;
      expect(new URL(next).searchParams.get('_cursor')).toBeTruthy();
      expect(new URL(next).searchParams.get('_sort')).toBe('_lastUpdated');
      const later = data.id('pp');
      await api.store.apply(data.message([data.patient(later, { name: [{ family }] })]));
      const rest = await walk(next);
      expect([...ids(first), ...rest]).toEqual([...created, later]);
      // newest first: the default order; the insert lands before the cursor, so nothing shifts
      const newest = await find(`/fhir/Patient?family=${family}&_count=2`);
      const another = data.id('pp');
      await api.store.apply(data.message([data.patient(another, { name: [{ family }] })]));
      const afterInsert = await walk(newest.link.find((l: { relation: string }) => l.relation === 'next')?.url as string);
      expect([...ids(newest), ...afterInsert]).toEqual([later, ...[...created].reverse()]);
    });

    it('still pages by _offset when asked, with a previous link', async () => {
      const bundle = await find(`/fhir/Patient?family=${family}&_sort=_id&_count=2&_offset=2`);
      expect(ids(bundle)).toHaveLength(2);
      const previous = bundle.link.find((l: { relation: string }) => l.relation === 'previous')?.url as string;
      expect(new URL(previous).searchParams.get('_offset')).toBe('0');
    });
  });

  it('refuses unknown parameters and bad values, naming each', async () => {
    const response = await api.fetch('/fhir/Patient?shoe=9&_sort=general-practitioner&_include=Patient:family&_summary=text&_cursor=@@');
    expect(response.status).toBe(400);
    const outcome = await json(response);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(['shoe', '_sort', '_include', '_summary', '_cursor']);
    expect(outcome.issue[1].diagnostics).toMatch(/reference parameters have no order/);
    const forged = await api.fetch('/fhir/Patient?_cursor=eyJ2IjoxfQ');
    expect(forged.status).toBe(400);
    expect((await json(forged)).issue[0].diagnostics).toMatch(/not one this server issued/);
    const mixed = await api.fetch('/fhir/Patient?_cursor=abc&_offset=2');
    expect((await json(mixed)).issue[0].expression).toEqual(['_offset']);
  });
});
