import type { BundleEntry } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestData } from '../store/fixtures/store-inputs.js';
import { json } from './support/server.js';
import { type RunningStoreApi, startStoreApi } from './support/real-server.js';

const refs = (bundle: Record<string, any>): string[] =>
  (bundle.entry ?? []).map((e: BundleEntry) => `${e.resource?.resourceType}/${e.resource?.id}`);

describe('GET /fhir/Patient/:id/$everything over the real store', () => {
  let api: RunningStoreApi;
  let tick = Date.parse('2024-03-05T10:00:00Z');
  const data = new TestData();
  const [patient, retired, stranger] = [data.id('pat'), data.id('pat'), data.id('pat')];
  const [hospitalA, hospitalB, practice] = [data.id('org'), data.id('org'), data.id('org')];
  const [encA, encB, encStranger] = [data.id('enc'), data.id('enc'), data.id('enc')];
  let beforeChange = '';

  beforeAll(async () => {
    api = await startStoreApi(() => new Date((tick += 1000)));
    const org = (id: string) => ({ resourceType: 'Organization' as const, id, name: id });
    await api.store.apply(
      data.message([org(hospitalA), data.patient(patient), data.encounter(encA, patient, { serviceProvider: { reference: `Organization/${hospitalA}` } })], {
        sender: 'a|PAS|RA1',
      }),
    );
    await api.store.apply(
      data.message(
        [
          org(hospitalB),
          data.patient(retired, { active: false, link: [{ type: 'replaced-by', other: { reference: `Patient/${patient}` } }] }),
          data.encounter(encB, retired, { serviceProvider: { reference: `Organization/${hospitalB}` } }),
        ],
        { sender: 'b|PAS|RB2' },
      ),
    );
    await api.store.apply(
      data.message([org(practice), data.patient(patient, { generalPractitioner: [{ reference: `Organization/${practice}` }] })], {
        sender: 'gp|EMIS|B82005',
      }),
    );
    await api.store.apply(data.message([data.patient(stranger), data.encounter(encStranger, stranger)]));
    beforeChange = new Date(tick + 500).toISOString();
    await api.store.apply(data.message([data.encounter(encA, patient, { status: 'finished', serviceProvider: { reference: `Organization/${hospitalA}` } })]));
  }, 60_000);
  afterAll(() => api.close());

  const mine = () => [
    `Patient/${patient}`,
    `Patient/${retired}`,
    `Encounter/${encA}`,
    `Encounter/${encB}`,
    `Organization/${hospitalA}`,
    `Organization/${hospitalB}`,
    `Organization/${practice}`,
  ];
  const withoutStoreProvenance = (found: string[]) => found.filter((ref) => !ref.startsWith('Provenance/'));

  it('returns the record from all three sources, merged record included, as a searchset', async () => {
    const response = await api.fetch(`/fhir/Patient/${patient}/$everything`);
    expect(response.status).toBe(200);
    const bundle = await json(response);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    const found = refs(bundle);
    expect(found[0]).toBe(`Patient/${patient}`);
    expect(withoutStoreProvenance(found).sort()).toEqual(mine().sort());
    expect(bundle.total).toBe(found.length);
    expect(found).not.toContain(`Patient/${stranger}`);
    expect(found).not.toContain(`Encounter/${encStranger}`);
    expect(bundle.entry[0].fullUrl).toBe(`${api.origin}/fhir/Patient/${patient}`);
  });

  it('returns only what changed with _since', async () => {
    const bundle = await json(await api.fetch(`/fhir/Patient/${patient}/$everything?_since=${encodeURIComponent(beforeChange)}`));
    expect(withoutStoreProvenance(refs(bundle))).toEqual([`Encounter/${encA}`]);
  });

  it('pages with _count and next links', async () => {
    const everything = refs(await json(await api.fetch(`/fhir/Patient/${patient}/$everything?_count=100`)));
    const seen: string[] = [];
    let next: string | undefined = `${api.origin}/fhir/Patient/${patient}/$everything?_count=2`;
    for (let pages = 0; next !== undefined && pages < 20; pages++) {
      const bundle = await json(await api.fetch(next.replace(api.origin, '')));
      expect(bundle.entry.length).toBeLessThanOrEqual(2);
      seen.push(...refs(bundle));
      next = bundle.link.find((l: { relation: string }) => l.relation === 'next')?.url;
    }
    expect(seen).toEqual(everything);
  });

  it('answers 404 for an unknown patient or operation, 400 for unknown parameters', async () => {
    expect((await api.fetch(`/fhir/Patient/${data.id('absent')}/$everything`)).status).toBe(404);
    const operation = await api.fetch(`/fhir/Patient/${patient}/$summary`);
    expect(operation.status).toBe(404);
    expect((await json(operation)).issue[0].diagnostics).toContain("'$summary'");
    expect((await api.fetch(`/fhir/Encounter/${encA}/$everything`)).status).toBe(404);
    const bad = await api.fetch(`/fhir/Patient/${patient}/$everything?start=2024&_since=soon`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(['start', '_since']);
  });
});
