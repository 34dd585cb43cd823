import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encounter, patient } from './support/fake-store.js';
import { json, type RunningApi, startApi } from './support/server.js';

const patients = Array.from({ length: 45 }, (_, i) => patient(`p${i + 1}`));

describe('GET /fhir/:type search', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi([...patients, encounter('e1', 'p1')]);
  });
  afterAll(() => api.close());

  it('passes the parsed query to the store', async () => {
    const response = await api.fetch(
      '/fhir/Patient?family:exact=Smith&gender=female,other&birthdate=ge1950-01&birthdate=lt1960&_count=10&_offset=20',
    );
    expect(response.status).toBe(200);
    expect(api.store.lastSearch).toEqual({
      resourceType: 'Patient',
      query: {
        criteria: [
          { param: 'family', values: [{ type: 'string', value: 'Smith', exact: true }] },
          {
            param: 'gender',
            values: [
              { type: 'token', code: 'female' },
              { type: 'token', code: 'other' },
            ],
          },
          { param: 'birthdate', values: [{ type: 'date', prefix: 'ge', value: '1950-01' }] },
          { param: 'birthdate', values: [{ type: 'date', prefix: 'lt', value: '1960' }] },
        ],
        count: 10,
        offset: 20,
      },
    });
  });

  it('answers a searchset Bundle with total, absolute links and match entries', async () => {
    const response = await api.fetch('/fhir/Patient?gender=female&_count=10&_offset=20');
    expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    const bundle = await json(response);
    const base = `${api.origin}/fhir`;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 45 });
    expect(bundle.link).toEqual([
      { relation: 'self', url: `${base}/Patient?gender=female&_count=10&_offset=20` },
      { relation: 'next', url: `${base}/Patient?gender=female&_count=10&_offset=30` },
      { relation: 'previous', url: `${base}/Patient?gender=female&_count=10&_offset=10` },
    ]);
    expect(bundle.entry).toHaveLength(10);
    expect(bundle.entry[0]).toEqual({
      fullUrl: `${base}/Patient/p21`,
      resource: patients[20],
      search: { mode: 'match' },
    });
  });

  it('has no next link on the last page and no previous link on the first', async () => {
    const last = await json(await api.fetch('/fhir/Patient?_offset=40'));
    expect(last.link.map((l: { relation: string }) => l.relation)).toEqual(['self', 'previous']);
    expect(last.link[1].url).toBe(`${api.origin}/fhir/Patient?_count=20&_offset=20`);
    expect(last.entry).toHaveLength(5);
    const first = await json(await api.fetch('/fhir/Patient'));
    expect(first.link).toEqual([
      { relation: 'self', url: `${api.origin}/fhir/Patient?_count=20&_offset=0` },
      { relation: 'next', url: `${api.origin}/fhir/Patient?_count=20&_offset=20` },
    ]);
  });

  it('keeps the request parameters, encoded, in the links', async () => {
    const bundle = await json(await api.fetch('/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919&_count=1'));
    const self = new URL(bundle.link[0].url);
    expect(self.searchParams.get('identifier')).toBe('https://fhir.nhs.uk/Id/nhs-number|9434765919');
    expect(self.searchParams.get('_count')).toBe('1');
  });

  it('returns only the total for _count=0', async () => {
    const bundle = await json(await api.fetch('/fhir/Patient?_count=0'));
    expect(bundle.total).toBe(45);
    expect(bundle.entry).toBeUndefined();
    expect(bundle.link).toEqual([{ relation: 'self', url: `${api.origin}/fhir/Patient?_count=0&_offset=0` }]);
    expect(api.store.lastSearch.query.count).toBe(0);
  });

  it('normalises Encounter patient references', async () => {
    const bundle = await json(await api.fetch('/fhir/Encounter?patient=p1'));
    expect(api.store.lastSearch.query.criteria).toEqual([
      { param: 'patient', values: [{ type: 'reference', reference: 'Patient/p1' }] },
    ]);
    expect(bundle.entry[0].fullUrl).toBe(`${api.origin}/fhir/Encounter/e1`);
  });

  it('refuses unknown parameters and bad values with one issue each, before touching the store', async () => {
    const before = api.store.searches.length;
    const response = await api.fetch('/fhir/Patient?colour=blue&birthdate=1990-02-30&_count=many');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    const outcome = await json(response);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(['colour', 'birthdate', '_count']);
    expect(outcome.issue.every((i: { code: string }) => i.code === 'invalid')).toBe(true);
    expect(outcome.issue[1].diagnostics).toContain('day 30');
    expect(api.store.searches.length).toBe(before);
  });

  it('answers 404 for a resource type it does not serve', async () => {
    const response = await api.fetch('/fhir/Specimen?type=1234');
    expect(response.status).toBe(404);
    const outcome = await json(response);
    expect(outcome.issue[0].diagnostics).toContain("'Specimen'");
  });
});

describe('POST /fhir/:type/_search', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi(patients);
  });
  afterAll(() => api.close());

  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('parses form parameters like query parameters and links with GET URLs', async () => {
    const response = await api.fetch('/fhir/Patient/_search?_count=5', {
      method: 'POST',
      headers: form,
      body: 'family=O%27Brien&address-postalcode=LS1+4AP',
    });
    expect(response.status).toBe(200);
    expect(api.store.lastSearch.query).toEqual({
      criteria: [
        { param: 'family', values: [{ type: 'string', value: "O'Brien" }] },
        { param: 'address-postalcode', values: [{ type: 'string', value: 'LS1 4AP' }] },
      ],
      count: 5,
      offset: 0,
    });
    const bundle = await json(response);
    const self = new URL(bundle.link[0].url);
    expect(self.pathname).toBe('/fhir/Patient');
    expect(self.searchParams.get('family')).toBe("O'Brien");
    expect(self.searchParams.get('address-postalcode')).toBe('LS1 4AP');
    expect(bundle.link[1]).toEqual({ relation: 'next', url: expect.stringContaining('_count=5&_offset=5') });
  });

  it('accepts an empty body', async () => {
    const response = await api.fetch('/fhir/Patient/_search', { method: 'POST' });
    expect(response.status).toBe(200);
    expect((await json(response)).total).toBe(45);
  });

  it('refuses a non-form body with 415', async () => {
    const response = await api.fetch('/fhir/Patient/_search', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Parameters' }),
    });
    expect(response.status).toBe(415);
    expect((await json(response)).issue[0].code).toBe('not-supported');
  });

  it('refuses bad form parameters with 400 naming them', async () => {
    const response = await api.fetch('/fhir/Patient/_search', { method: 'POST', headers: form, body: 'gender:text=male' });
    expect(response.status).toBe(400);
    expect((await json(response)).issue[0].expression).toEqual(['gender:text']);
  });
});

describe('configured base URL', () => {
  it('builds fullUrl and links from it', async () => {
    const api = await startApi([patient('p1')], { baseUrl: 'https://hie.example.org/fhir/' });
    try {
      const bundle = await json(await api.fetch('/fhir/Patient'));
      expect(bundle.link[0].url).toBe('https://hie.example.org/fhir/Patient?_count=20&_offset=0');
      expect(bundle.entry[0].fullUrl).toBe('https://hie.example.org/fhir/Patient/p1');
    } finally {
      await api.close();
    }
  });
});
