import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { patient } from './support/fake-store.js';
import { json, type RunningApi, startApi } from './support/server.js';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

describe('errors as OperationOutcomes', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi([patient('p1')], { bodyLimit: '2kb' });
  });
  afterAll(() => api.close());

  it.each(['/fhir', '/fhir/', '/fhir/Patient/p1/$everything/extra', '/fhir/Patient/p1/_history/1/extra'])(
    'answers 404 for the unknown route %s',
    async (path) => {
      const response = await api.fetch(path);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe(FHIR_JSON);
      expect((await json(response)).issue[0].code).toBe('not-found');
    },
  );

  it.each([
    ['PUT', '/fhir/Patient/p1', 'GET'],
    ['DELETE', '/fhir/Patient/p1', 'GET'],
    ['POST', '/fhir/Patient', 'GET'],
    ['GET', '/fhir/Patient/_search', 'POST'],
  ])('answers 405 for %s %s, allowing %s', async (method, path, allow) => {
    const response = await api.fetch(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect((await json(response)).issue[0].code).toBe('not-supported');
  });

  it('answers 400 for a path it cannot percent-decode', async () => {
    const response = await api.fetch('/fhir/Patient/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(FHIR_JSON);
    expect((await json(response)).issue[0].code).toBe('invalid');
  });

  it('answers 404 rather than 405 for an unknown type', async () => {
    expect((await api.fetch('/fhir/Banana', { method: 'POST' })).status).toBe(404);
  });

  it('answers 406 for a non-FHIR Accept, and honours _format', async () => {
    const refused = await api.fetch('/fhir/Patient/p1', { headers: { accept: 'application/fhir+xml' } });
    expect(refused.status).toBe(406);
    expect(refused.headers.get('content-type')).toBe(FHIR_JSON);
    expect((await json(refused)).issue[0].diagnostics).toContain('application/fhir+xml');
    expect((await api.fetch('/fhir/Patient/p1?_format=xml')).status).toBe(406);
    expect((await api.fetch('/fhir/Patient/p1?_format=json', { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await api.fetch('/fhir/Patient/p1', { headers: { accept: 'application/json' } })).status).toBe(200);
  });

  it('answers 400 for a malformed JSON body', async () => {
    const response = await api.fetch('/fhir/Patient', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: '{"resourceType": "Patient",',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(FHIR_JSON);
    expect((await json(response)).issue[0].code).toBe('structure');
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await api.fetch('/fhir/Patient/_search', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `family=${'x'.repeat(4096)}`,
    });
    expect(response.status).toBe(413);
    expect((await json(response)).issue[0].diagnostics).toContain('2kb');
  });
});

describe('internal failures', () => {
  it('answer 500 without internal detail, and log it', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const api = await startApi([patient('p1')], { logger });
    try {
      api.store.failWith = new Error('connection to 10.0.0.5:5432 refused at PatientStore.read');
      for (const path of ['/fhir/Patient/p1', '/fhir/Patient?family=Smith']) {
        const response = await api.fetch(path);
        expect(response.status).toBe(500);
        expect(response.headers.get('content-type')).toBe(FHIR_JSON);
        const text = await response.text();
        expect(text).not.toContain('10.0.0.5');
        expect(text).not.toContain('PatientStore');
        expect(JSON.parse(text).issue[0]).toMatchObject({ severity: 'fatal', code: 'exception' });
      }
      await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(2));
      expect(lines.join('')).toContain('10.0.0.5');
      expect(lines.join('')).not.toContain('Smith');
    } finally {
      await api.close();
    }
  });
});
