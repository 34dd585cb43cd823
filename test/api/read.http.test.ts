import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encounter, patient } from './support/fake-store.js';
import { json, type RunningApi, startApi } from './support/server.js';

describe('GET /fhir/:type/:id', () => {
  let api: RunningApi;
  const alice = patient('alice.1', '7', '2024-03-05T10:15:30.000Z');
  beforeAll(async () => {
    api = await startApi([alice, encounter('e-1', 'alice.1'), { resourceType: 'Organization', id: 'RX1', name: 'Leeds' }]);
  });
  afterAll(() => api.close());

  it('returns the resource with ETag and Last-Modified', async () => {
    const response = await api.fetch('/fhir/Patient/alice.1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(response.headers.get('etag')).toBe('W/"7"');
    expect(response.headers.get('last-modified')).toBe('Tue, 05 Mar 2024 10:15:30 GMT');
    expect(await json(response)).toEqual(alice);
    expect(api.store.reads.at(-1)).toEqual({ resourceType: 'Patient', id: 'alice.1' });
  });

  it('reads Encounter and Organization', async () => {
    expect((await json(await api.fetch('/fhir/Encounter/e-1'))).subject).toEqual({ reference: 'Patient/alice.1' });
    const org = await api.fetch('/fhir/Organization/RX1');
    expect(org.status).toBe(200);
    expect(org.headers.get('etag')).toBeNull();
  });

  // with node:http, because fetch adds Cache-Control: no-cache to conditional requests
  it('answers 304 to a matching If-None-Match', async () => {
    expect(await statusOf(`${api.origin}/fhir/Patient/alice.1`, { 'if-none-match': 'W/"7"' })).toBe(304);
    expect(await statusOf(`${api.origin}/fhir/Patient/alice.1`, { 'if-none-match': 'W/"6"' })).toBe(200);
  });

  it('answers 404 with an OperationOutcome for an unknown id', async () => {
    const response = await api.fetch('/fhir/Patient/nobody');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(await json(response)).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient/nobody was not found' }],
    });
  });

  it.each(['bad_id', 'a%20b', 'x'.repeat(65), '%C3%A9'])('answers 400 for the malformed id %s without reading', async (id) => {
    const before = api.store.reads.length;
    const response = await api.fetch(`/fhir/Patient/${id}`);
    expect(response.status).toBe(400);
    const outcome = await json(response);
    expect(outcome.issue[0].code).toBe('invalid');
    expect(outcome.issue[0].diagnostics).toContain('not a valid FHIR id');
    expect(api.store.reads.length).toBe(before);
  });

  it('answers 404 for an unknown resource type', async () => {
    const response = await api.fetch('/fhir/Banana/1');
    expect(response.status).toBe(404);
    expect((await json(response)).issue[0].code).toBe('not-supported');
  });
});

function statusOf(url: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    }).on('error', reject);
  });
}
