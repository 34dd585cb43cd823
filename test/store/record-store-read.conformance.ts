import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordStore, SearchQuery } from '../../src/store/types.js';
import { LOCAL_MRN, NHS_NUMBER, TestData } from './fixtures/store-inputs.js';
import type { OpenedStore } from './record-store.conformance.js';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const refs = (resources: readonly Resource[]) => resources.map((r) => `${r.resourceType}/${r.id ?? ''}`);

/**
 * Read-side behaviour every RecordStore shares: history, sorting, keyset paging, _include, $everything.
 * Each store gets a clock that moves one second per write, so "newest first" is deterministic.
 */
export function describeRecordStoreReadConformance(name: string, open: (now: () => Date) => Promise<OpenedStore>): void {
  describe(`RecordStore read conformance: ${name}`, () => {
    let opened: OpenedStore | undefined;
    let tick = Date.parse('2024-03-05T10:00:00Z');
    const clock = () => new Date((tick += 1000));
    const data = new TestData();
    const store = (): RecordStore => {
      if (!opened) throw new Error('store did not open');
      return opened.store;
    };
    const search = (type: string, query: Partial<SearchQuery>) =>
      store().search(type, { criteria: [], count: 100, offset: 0, ...query });

    beforeAll(async () => {
      opened = await open(clock);
    }, 120_000);
    afterAll(async () => {
      await opened?.close();
    });

    describe('history', () => {
      it('lists one resource newest version first, with _since and cursor paging', async () => {
        const id = data.id('pat');
        for (const gender of ['male', 'female', 'other'] as const) {
          await store().apply(data.message([data.patient(id, { gender })]));
        }
        const all = await store().history('Patient', id, { count: 10 });
        expect(all.total).toBe(3);
        expect(all.entries.map((e) => [e.versionId, (e.resource as { gender?: string }).gender])).toEqual([
          ['3', 'other'],
          ['2', 'female'],
          ['1', 'male'],
        ]);
        expect(all.entries[0]?.lastUpdated).toBe(all.entries[0]?.resource.meta?.lastUpdated);
        expect(all.nextCursor).toBeUndefined();

        const since = all.entries[1]?.lastUpdated ?? '';
        const recent = await store().history('Patient', id, { count: 10, since });
        expect(recent.entries.map((e) => e.versionId)).toEqual(['3', '2']);

        const first = await store().history('Patient', id, { count: 2 });
        expect(first.entries.map((e) => e.versionId)).toEqual(['3', '2']);
        // a new version written between pages does not shift the next page
        await store().apply(data.message([data.patient(id, { gender: 'unknown' })]));
        const second = await store().history('Patient', id, { count: 2, cursor: first.nextCursor ?? '' });
        expect(second.entries.map((e) => e.versionId)).toEqual(['1']);
        expect(second.total).toBe(4);
        expect(second.nextCursor).toBeUndefined();
        expect((await store().history('Patient', data.id('absent'), { count: 10 })).total).toBe(0);
      });

      it('lists a whole type newest write first', async () => {
        const [a, b] = [data.id('org'), data.id('org')];
        const start = clock().toISOString();
        await store().apply(data.message([{ resourceType: 'Organization', id: a, name: 'A' }]));
        await store().apply(data.message([{ resourceType: 'Organization', id: b, name: 'B' }]));
        await store().apply(data.message([{ resourceType: 'Organization', id: a, name: 'A2' }]));
        const history = await store().history('Organization', undefined, { count: 2, since: start });
        expect(history.total).toBe(3);
        expect(history.entries.map((e) => `${e.resource.id}@${e.versionId}`)).toEqual([`${a}@2`, `${b}@1`]);
        const rest = await store().history('Organization', undefined, { count: 2, since: start, cursor: history.nextCursor ?? '' });
        expect(rest.entries.map((e) => `${e.resource.id}@${e.versionId}`)).toEqual([`${a}@1`]);
      });

      it('refuses a cursor issued for something else', async () => {
        const first = await store().history('Organization', undefined, { count: 1 });
        await expect(store().history('Patient', undefined, { count: 1, cursor: first.nextCursor ?? '' })).rejects.toThrow(
          /different search order/,
        );
        await expect(store().history('Patient', undefined, { count: 1, cursor: 'not-a-cursor' })).rejects.toThrow(
          /not one this server issued/,
        );
      });
    });

    describe('sorting and paging', () => {
      const family = `Sort${data.run}`;
      const ids: string[] = [];
      beforeAll(async () => {
        const people = [
          { family: `${family}c`, birthDate: '1990-01-01' },
          { family: `${family}a`, birthDate: '1970-06-15' },
          { family: `${family}b`, birthDate: '1985-03-03' },
          { family: `${family}a`, birthDate: '1960-12-31' },
        ];
        for (const person of people) {
          const id = data.id('sort');
          ids.push(id);
          await store().apply(data.message([data.patient(id, { name: [{ family: person.family }], birthDate: person.birthDate })]));
        }
      }, 60_000);
      const inFamily = () => ({ param: 'family', values: [{ type: 'string' as const, value: family }] });
      const order = async (sort: SearchQuery['sort']) => (await search('Patient', { criteria: [inFamily()], sort })).resources.map((r) => r.id);

      it('sorts by family, birthdate, _id and _lastUpdated, ties broken by id', async () => {
        const [c, a1, b, a2] = ids as [string, string, string, string];
        const [firstA, secondA] = [a1, a2].sort();
        expect(await order([{ param: 'family', descending: false }])).toEqual([firstA, secondA, b, c]);
        expect(await order([{ param: 'family', descending: true }])).toEqual([c, b, firstA, secondA]);
        expect(await order([{ param: 'birthdate', descending: false }])).toEqual([a2, a1, b, c]);
        expect(await order([{ param: 'family', descending: false }, { param: 'birthdate', descending: true }])).toEqual([a1, a2, b, c]);
        expect(await order([{ param: '_lastUpdated', descending: false }])).toEqual(ids);
        expect(await order([{ param: '_lastUpdated', descending: true }])).toEqual([...ids].reverse());
        expect(await order(undefined)).toEqual([...ids].reverse());
        expect(await order([{ param: '_id', descending: true }])).toEqual([...ids].sort().reverse());
      });

      it('pages with a cursor without skipping or repeating while others are inserted', async () => {
        const sort = [{ param: 'birthdate', descending: false }];
        const first = await search('Patient', { criteria: [inFamily()], sort, count: 2 });
        expect(first.total).toBe(4);
        expect(first.nextCursor).toBeDefined();
        // a patient born first and one born last arrive between the pages
        const early = data.id('sort');
        const late = data.id('sort');
        await store().apply(data.message([data.patient(early, { name: [{ family: `${family}z` }], birthDate: '1900-01-01' })]));
        await store().apply(data.message([data.patient(late, { name: [{ family: `${family}z` }], birthDate: '2020-01-01' })]));
        const second = await search('Patient', { criteria: [inFamily()], sort, count: 2, cursor: first.nextCursor ?? '' });
        const third = await search('Patient', { criteria: [inFamily()], sort, count: 2, cursor: second.nextCursor ?? '' });
        const seen = [...first.resources, ...second.resources, ...third.resources].map((r) => r.id);
        expect(seen).toEqual([ids[3], ids[1], ids[2], ids[0], late]);
        expect(third.nextCursor).toBeUndefined();
        await expect(
          search('Patient', { criteria: [inFamily()], sort: [{ param: 'family', descending: false }], cursor: first.nextCursor ?? '' }),
        ).rejects.toThrow(/different search order/);
      });

      it('refuses to sort by a reference or an unknown parameter', async () => {
        await expect(search('Patient', { sort: [{ param: 'general-practitioner', descending: false }] })).rejects.toThrow(/reference/);
        await expect(search('Patient', { sort: [{ param: 'shoe-size', descending: false }] })).rejects.toThrow(/not a search parameter/);
      });
    });

    describe('_include and the catalogue types', () => {
      it('includes the patients of matched encounters once each, outside the total', async () => {
        const [p1, p2] = [data.id('pat'), data.id('pat')];
        const status = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: `C${data.run}` };
        await store().apply(
          data.message([
            data.patient(p1),
            data.patient(p2),
            data.encounter(data.id('enc'), p1, { class: status }),
            data.encounter(data.id('enc'), p1, { class: status }),
            data.encounter(data.id('enc'), p2, { class: status }),
          ]),
        );
        const result = await search('Encounter', {
          criteria: [{ param: 'class', values: [{ type: 'token', code: status.code }] }],
          include: [{ param: 'patient' }],
        });
        expect(result.total).toBe(3);
        expect(result.resources).toHaveLength(3);
        expect(refs(result.included ?? []).sort()).toEqual([`Patient/${p1}`, `Patient/${p2}`].sort());
        const typed = await search('Encounter', {
          criteria: [{ param: 'class', values: [{ type: 'token', code: status.code }] }],
          include: [{ param: 'subject', targetType: 'Group' }],
        });
        expect(typed.included ?? []).toEqual([]);
      });

      it('searches Organization, Practitioner and Location by identifier and name', async () => {
        const ods = `O${data.run}`;
        const org = data.id('org');
        const practitioner = data.id('pr');
        const location = data.id('loc');
        await store().apply(
          data.message([
            { resourceType: 'Organization', id: org, identifier: [{ system: ODS, value: ods }], name: `Addenbrooke ${data.run}` },
            { resourceType: 'Practitioner', id: practitioner, identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: `G${data.run}` }] },
            { resourceType: 'Location', id: location, identifier: [{ value: `L${data.run}` }], name: `Ward ${data.run}` },
          ]),
        );
        const ids = async (type: string, param: string, value: { type: 'token'; code: string; system?: string } | { type: 'string'; value: string }) =>
          (await search(type, { criteria: [{ param, values: [value] }] })).resources.map((r) => r.id);
        expect(await ids('Organization', 'identifier', { type: 'token', system: ODS, code: ods })).toEqual([org]);
        expect(await ids('Organization', 'name', { type: 'string', value: `addenbrooke ${data.run}` })).toEqual([org]);
        expect(await ids('Practitioner', 'identifier', { type: 'token', code: `G${data.run}` })).toEqual([practitioner]);
        expect(await ids('Location', 'identifier', { type: 'token', code: `L${data.run}` })).toEqual([location]);
        expect(await ids('Location', 'name', { type: 'string', value: `ward ${data.run}` })).toEqual([location]);
      });
    });

    describe('$everything', () => {
      const sources = ['hospital-a|PAS|RA1', 'hospital-b|PAS|RB2', 'gp|EMIS|B82005'];
      const [survivor, retired, stranger] = [data.id('pat'), data.id('pat'), data.id('pat')];
      const [orgA, orgB, gp, practitioner, ward] = [data.id('org'), data.id('org'), data.id('org'), data.id('pr'), data.id('loc')];
      const [encA, encB, encOld, encStranger] = [data.id('enc'), data.id('enc'), data.id('enc'), data.id('enc')];
      const provenance = data.id('prov');
      let beforeUpdate = '';

      beforeAll(async () => {
        // hospital A: the survivor with an encounter at a ward, seen by a practitioner
        await store().apply(
          data.message(
            [
              { resourceType: 'Organization', id: orgA, name: 'Hospital A' },
              { resourceType: 'Location', id: ward, name: 'Ward 1', managingOrganization: { reference: `Organization/${orgA}` } },
              { resourceType: 'Practitioner', id: practitioner },
              data.patient(survivor, { identifier: [{ system: NHS_NUMBER, value: `9${data.run}` }], managingOrganization: { reference: `Organization/${orgA}` } }),
              data.encounter(encA, survivor, {
                serviceProvider: { reference: `Organization/${orgA}` },
                location: [{ location: { reference: `Location/${ward}` } }],
                participant: [{ individual: { reference: `Practitioner/${practitioner}` } }],
              }),
            ],
            { sender: sources[0] },
          ),
        );
        // hospital B: a record later merged into the survivor, with an encounter still pointing at it
        await store().apply(
          data.message(
            [
              { resourceType: 'Organization', id: orgB, name: 'Hospital B' },
              data.patient(retired, {
                active: false,
                identifier: [{ system: LOCAL_MRN, value: `B-${data.run}` }],
                link: [{ type: 'replaced-by', other: { reference: `Patient/${survivor}` } }],
              }),
              data.encounter(encOld, retired, { serviceProvider: { reference: `Organization/${orgB}` } }),
              data.encounter(encB, survivor, { serviceProvider: { reference: `Organization/${orgB}` } }),
            ],
            { sender: sources[1] },
          ),
        );
        // the GP practice, and a provenance that names only the encounter
        await store().apply(
          data.message(
            [
              { resourceType: 'Organization', id: gp, name: 'The Surgery' },
              data.patient(survivor, {
                identifier: [{ system: NHS_NUMBER, value: `9${data.run}` }],
                managingOrganization: { reference: `Organization/${orgA}` },
                generalPractitioner: [{ reference: `Organization/${gp}` }],
                link: [{ type: 'replaces', other: { reference: `Patient/${retired}` } }],
              }),
              {
                resourceType: 'Provenance',
                id: provenance,
                target: [{ reference: `Encounter/${encA}/_history/1` }],
                recorded: '2024-03-05T10:00:00Z',
                agent: [{ who: { reference: `Organization/${orgA}` } }],
              },
            ],
            { sender: sources[2] },
          ),
        );
        // someone else entirely, sharing the hospital
        await store().apply(
          data.message([data.patient(stranger), data.encounter(encStranger, stranger, { serviceProvider: { reference: `Organization/${orgA}` } })]),
        );
        beforeUpdate = clock().toISOString();
        await store().apply(data.message([data.encounter(encB, survivor, { status: 'finished', serviceProvider: { reference: `Organization/${orgB}` } })]));
      }, 60_000);

      const expected = () =>
        [
          `Patient/${survivor}`,
          `Patient/${retired}`,
          `Encounter/${encA}`,
          `Encounter/${encB}`,
          `Encounter/${encOld}`,
          `Organization/${orgA}`,
          `Organization/${orgB}`,
          `Organization/${gp}`,
          `Practitioner/${practitioner}`,
          `Location/${ward}`,
          `Provenance/${provenance}`,
        ];

      /**
       * The store may write resources of its own (a Provenance per applied message): those are part of the
       * record too. Split what came back into what this test wrote and the rest, which must all be Provenance
       * about something in the record.
       */
      const split = (resources: readonly Resource[]) => {
        const mine = new Set(expected());
        const written = refs(resources).filter((ref) => mine.has(ref));
        const others = resources.filter((r) => !mine.has(`${r.resourceType}/${r.id ?? ''}`));
        for (const other of others) {
          expect(other.resourceType).toBe('Provenance');
          const targets = ((other as { target?: { reference?: string }[] }).target ?? []).map((t) =>
            (t.reference ?? '').replace(/\/_history\/.*$/, ''),
          );
          expect(targets.some((t) => mine.has(t))).toBe(true);
        }
        return { written, others };
      };

      it('returns the whole record from every source, merged records included, the patient first', async () => {
        const result = await store().everything(survivor, { count: 100 });
        const { written, others } = split(result?.resources ?? []);
        expect(result?.total).toBe(expected().length + others.length);
        expect([...written].sort()).toEqual(expected().sort());
        const found = refs(result?.resources ?? []);
        expect(found[0]).toBe(`Patient/${survivor}`);
        expect(found[1]).toBe(`Patient/${retired}`);
        expect(found).not.toContain(`Patient/${stranger}`);
        expect(found).not.toContain(`Encounter/${encStranger}`);
      });

      it('finds the survivor from the retired record too', async () => {
        const result = await store().everything(retired, { count: 100 });
        expect(refs(result?.resources ?? [])[0]).toBe(`Patient/${retired}`);
        expect([...split(result?.resources ?? []).written].sort()).toEqual(expected().sort());
      });

      it('returns only what changed with _since', async () => {
        const result = await store().everything(survivor, { count: 100, since: beforeUpdate });
        const { written, others } = split(result?.resources ?? []);
        expect(written).toEqual([`Encounter/${encB}`]);
        expect(result?.total).toBe(1 + others.length);
        for (const other of others) expect(Date.parse(other.meta?.lastUpdated ?? '')).toBeGreaterThanOrEqual(Date.parse(beforeUpdate));
      });

      it('pages with a cursor, each resource exactly once', async () => {
        const all = await store().everything(survivor, { count: 100 });
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store().everything(survivor, { count: 3, ...(cursor === undefined ? {} : { cursor }) });
          expect(page?.total).toBe(all?.total);
          seen.push(...refs(page?.resources ?? []));
          cursor = page?.nextCursor;
          pages++;
        } while (cursor !== undefined && pages < 20);
        expect(pages).toBe(Math.ceil((all?.total ?? 0) / 3));
        expect(seen).toEqual(refs(all?.resources ?? []));
        expect(new Set(seen).size).toBe(seen.length);
      });

      it('is undefined for an unknown patient', async () => {
        expect(await store().everything(data.id('absent'), { count: 10 })).toBeUndefined();
      });
    });
  });
}
