import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordStore, SearchCriterion, SearchValue } from '../../src/store/types.js';
import { LOCAL_MRN, NHS_NUMBER, type TestData } from './fixtures/store-inputs.js';

const tok = (code: string, system?: string): SearchValue => ({ type: 'token', code, ...(system !== undefined ? { system } : {}) });
const str = (value: string, exact = false): SearchValue => ({ type: 'string', value, exact });
const date = (prefix: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'sa' | 'eb' | 'ap', value: string): SearchValue => ({
  type: 'date',
  prefix,
  value,
});
const ref = (reference: string): SearchValue => ({ type: 'reference', reference });
const by = (param: string, ...values: SearchValue[]): SearchCriterion => ({ param, values });

/** Search behaviour every RecordStore shares; data is scoped to this run by unique names and ids. */
export function describeSearchConformance(store: () => RecordStore, data: TestData): void {
  describe('search', () => {
    const family = `Ørsted${data.run}`; // accented and unique to this run
    const [p1, p2, p3] = [data.id('pat'), data.id('pat'), data.id('pat')];
    const gp = data.id('gp');
    const [e1, e2] = [data.id('enc'), data.id('enc')];
    const nhs1 = `9${data.run}1`;
    const inFamily = by('family', str(family));

    const ids = async (type: string, ...criteria: SearchCriterion[]): Promise<string[]> => {
      const result = await store().search(type, { criteria, count: 100, offset: 0 });
      expect(result.total).toBe(result.resources.length);
      return result.resources.map((r: Resource) => r.id ?? '').sort();
    };

    beforeAll(async () => {
      await store().apply(
        data.message([
          data.patient(p1, {
            identifier: [{ system: NHS_NUMBER, value: nhs1 }, { system: LOCAL_MRN, value: `M-${data.run}` }],
            name: [{ family, given: ['Zoë', 'Anne'], prefix: ['Dr'] }],
            gender: 'female',
            birthDate: '1980-05-12',
            address: [{ postalCode: 'LS1 4AP' }],
            generalPractitioner: [{ reference: `Organization/${gp}` }],
          }),
          data.patient(p2, {
            identifier: [{ system: LOCAL_MRN, value: nhs1 }],
            name: [{ family: `${family}-Smith`, given: ['Zoe'] }],
            gender: 'male',
            birthDate: '1975-11',
            address: [{ postalCode: 'BD7 1DP' }],
          }),
          data.patient(p3, { name: [{ family: `Other${data.run}`, given: ['Anne'] }], gender: 'female', birthDate: '2001-02-03' }),
          data.encounter(e1, p1, {
            identifier: [{ system: LOCAL_MRN, value: `V-${data.run}` }],
            period: { start: '2024-03-05T10:00:00Z', end: '2024-03-07T12:00:00Z' },
            status: 'finished',
            location: [{ location: { reference: `Location/ward-${data.run}` } }],
            serviceProvider: { reference: `Organization/trust-${data.run}` },
          }),
          data.encounter(e2, p1, {
            class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
            period: { start: '2024-04-01T08:30:00+01:00' },
          }),
        ]),
      );
    }, 60_000);

    it('matches tokens by system|code, code alone, system| alone, with ORed values', async () => {
      expect(await ids('Patient', by('identifier', tok(nhs1, NHS_NUMBER)))).toEqual([p1]);
      expect(await ids('Patient', by('identifier', tok(nhs1)))).toEqual([p1, p2].sort());
      expect(await ids('Patient', inFamily, by('identifier', tok('', NHS_NUMBER)))).toEqual([p1]);
      expect(await ids('Patient', by('identifier', tok(`M-${data.run}`, LOCAL_MRN), tok(nhs1, NHS_NUMBER)))).toEqual([p1]);
      expect(await ids('Patient', inFamily, by('gender', tok('male'), tok('female')))).toEqual([p1, p2].sort());
      expect(await ids('Patient', by('_id', tok(p3), tok(p2)))).toEqual([p2, p3].sort());
      expect(await ids('Encounter', by('patient', ref(p1)), by('class', tok('EMER', 'http://terminology.hl7.org/CodeSystem/v3-ActCode')))).toEqual([e2]);
      expect(await ids('Encounter', by('patient', ref(p1)), by('status', tok('finished')))).toEqual([e1]);
      expect(await ids('Encounter', by('identifier', tok(`V-${data.run}`, LOCAL_MRN)))).toEqual([e1]);
    });

    it('matches strings by case- and accent-insensitive prefix, or exactly', async () => {
      const lower = family.toLowerCase().replace('ø', 'o');
      expect(await ids('Patient', by('family', str(lower)))).toEqual([p1, p2].sort());
      expect(await ids('Patient', by('family', str(family, true)))).toEqual([p1]);
      expect(await ids('Patient', by('family', str(family.toUpperCase(), true)))).toEqual([]);
      expect(await ids('Patient', inFamily, by('given', str('zoe')))).toEqual([p1, p2].sort());
      expect(await ids('Patient', inFamily, by('given', str('Zoë', true)))).toEqual([p1]);
      expect(await ids('Patient', inFamily, by('name', str('dr')))).toEqual([p1]);
      expect(await ids('Patient', inFamily, by('address-postalcode', str('ls1')))).toEqual([p1]);
      expect(await ids('Patient', inFamily, by('address-postalcode', str('%')))).toEqual([]);
    });

    it('compares dates over the implicit range of their precision', async () => {
      const bd = async (value: SearchValue) => ids('Patient', inFamily, by('birthdate', value));
      expect(await bd(date('eq', '1980-05-12'))).toEqual([p1]);
      expect(await bd(date('eq', '1980'))).toEqual([p1]);
      expect(await bd(date('eq', '1975-11-20'))).toEqual([]); // 1975-11 is wider than that day
      expect(await bd(date('ne', '1980'))).toEqual([p2]);
      expect(await bd(date('lt', '1980-01-01'))).toEqual([p2]);
      expect(await bd(date('gt', '1979'))).toEqual([p1]);
      expect(await bd(date('ge', '1980-05-12'))).toEqual([p1]);
      expect(await bd(date('le', '1980-05-12'))).toEqual([p1, p2].sort());
      expect(await bd(date('sa', '1975-11-30'))).toEqual([p1]);
      expect(await bd(date('eb', '1980-05-12'))).toEqual([p2]);
      expect(await bd(date('ap', '1984-01-01'))).toEqual([p1]); // ±10% of the years since: 1975 is too far
    });

    it('compares encounter periods, an open end meaning ongoing', async () => {
      const when = async (...values: SearchValue[]) => ids('Encounter', by('patient', ref(`Patient/${p1}`)), by('date', ...values));
      expect(await when(date('eq', '2024-03'))).toEqual([e1]);
      expect(await when(date('eq', '2024-03-06'))).toEqual([]);
      expect(await when(date('ge', '2024-03-06'))).toEqual([e1, e2].sort());
      expect(await when(date('gt', '2030-01-01'))).toEqual([e2]);
      expect(await when(date('lt', '2024-03-06'))).toEqual([e1]);
      expect(await when(date('eb', '2024-03-08'))).toEqual([e1]);
      expect(await when(date('sa', '2024-03-31T23:00:00Z'), date('eq', '2024-03-05'))).toEqual([e2]);
      expect(await when(date('eq', '2024-04-01T07:30Z'))).toEqual([]);
      expect(await when(date('ge', '2024-04-01T07:30Z'))).toEqual([e2]);
    });

    it('matches references by Type/id or by bare id', async () => {
      expect(await ids('Encounter', by('patient', ref(`Patient/${p1}`)))).toEqual([e1, e2].sort());
      expect(await ids('Encounter', by('subject', ref(p1)))).toEqual([e1, e2].sort());
      expect(await ids('Encounter', by('patient', ref(`Group/${p1}`)))).toEqual([]);
      expect(await ids('Encounter', by('location', ref(`Location/ward-${data.run}`)))).toEqual([e1]);
      expect(await ids('Encounter', by('service-provider', ref(`trust-${data.run}`)))).toEqual([e1]);
      expect(await ids('Patient', by('general-practitioner', ref(`Organization/${gp}`)))).toEqual([p1]);
    });

    it('ANDs criteria and restricts by _lastUpdated', async () => {
      expect(await ids('Patient', inFamily, by('gender', tok('female')))).toEqual([p1]);
      expect(await ids('Patient', by('given', str('anne')), by('gender', tok('female')), by('name', str(`other${data.run}`)))).toEqual([p3]);
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('gt', '2000-01-01')))).toEqual([p1, p2].sort());
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('lt', '2000-01-01')))).toEqual([]);
    });

    it('finds by _lastUpdated to the millisecond (the instant meta.lastUpdated says) and by _id', async () => {
      const [held] = (await store().search('Patient', { criteria: [by('_id', tok(p1))], count: 1, offset: 0 })).resources;
      const at = held?.meta?.lastUpdated as string;
      expect(at).toMatch(/\.\d{3}Z$/);
      const next = new Date(Date.parse(at) + 1).toISOString();
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('eq', at)))).toContain(p1);
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('ne', at)))).not.toContain(p1);
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('ge', at)))).toContain(p1);
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('sa', at)))).not.toContain(p1);
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('lt', next), date('gt', '2999-01-01')))).toContain(p1);
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('eb', next)))).toContain(p1);
      expect(await ids('Patient', inFamily, by('_lastUpdated', date('eb', at)))).not.toContain(p1);
      expect(await ids('Patient', by('_id', tok(p1), tok(p2)))).toEqual([p1, p2].sort());
    });

    it('pages newest first with the total of all matches', async () => {
      const pageFamily = `Page${data.run}`;
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = data.id('page');
        created.push(id);
        await store().apply(data.message([data.patient(id, { name: [{ family: pageFamily }] })]));
      }
      const page = (offset: number) =>
        store().search('Patient', { criteria: [by('family', str(pageFamily))], count: 2, offset });
      const pages = await Promise.all([page(0), page(2), page(4), page(6)]);
      expect(pages.map((p) => p.total)).toEqual([5, 5, 5, 5]);
      expect(pages.map((p) => p.resources.length)).toEqual([2, 2, 1, 0]);
      const seen = pages.flatMap((p) => p.resources);
      expect(seen.map((r) => r.id ?? '').sort()).toEqual([...created].sort());
      const order = (r: Resource) => [r.meta?.lastUpdated ?? '', r.id ?? ''] as const;
      for (let i = 1; i < seen.length; i++) {
        const [prevTime, prevId] = order(seen[i - 1] as Resource);
        const [time, id] = order(seen[i] as Resource);
        // newest first; the same instant falls back to id order so pages never overlap
        expect(prevTime > time || (prevTime === time && prevId < id)).toBe(true);
      }
      const countOnly = await store().search('Patient', { criteria: [by('family', str(pageFamily))], count: 0, offset: 0 });
      expect(countOnly).toEqual({ total: 5, resources: [] });
    });

    it('rejects unknown parameters and malformed values with a clear error', async () => {
      const search = (criterion: SearchCriterion) => store().search('Patient', { criteria: [criterion], count: 10, offset: 0 });
      await expect(search(by('shoe-size', tok('9')))).rejects.toThrow(/"shoe-size" is not supported for Patient/);
      await expect(search(by('birthdate', date('eq', '12/05/1980')))).rejects.toThrow(/not a FHIR date/);
      await expect(search(by('gender', str('female')))).rejects.toThrow(/token parameter/);
    });
  });
}
