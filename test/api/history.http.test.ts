import type { BundleEntry } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestData } from '../store/fixtures/store-inputs.js';
import { json } from './support/server.js';
import { type RunningStoreApi, startStoreApi } from './support/real-server.js';

describe('vread and history over the real store', () => {
  let api: RunningStoreApi;
  let tick = Date.parse('2024-03-05T10:00:00Z');
  const data = new TestData();
  const id = data.id('pat');
  const other = data.id('pat');
  let secondWrite = '';

  beforeAll(async () => {
    api = await startStoreApi(() => new Date((tick += 1000)));
    await api.store.apply(data.message([data.patient(id, { gender: 'male' })]));
    await api.store.apply(data.message([data.patient(other, { gender: 'other' })]));
    await api.store.apply(data.message([data.patient(id, { gender: 'female' })]));
    secondWrite = (await api.store.vread('Patient', id, '2'))?.meta?.lastUpdated ?? '';
  }, 60_000);
  afterAll(() => api.close());

  it('reads an old version with its ETag', async () => {
    const response = await api.fetch(`/fhir/Patient/${id}/_history/1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('W/"1"');
    expect(await json(response)).toMatchObject({ resourceType: 'Patient', id, gender: 'male', meta: { versionId: '1' } });
  });

  it('answers 404 naming the version, or the resource, when either is unknown', async () => {
    const noVersion = await api.fetch(`/fhir/Patient/${id}/_history/9`);
    expect(noVersion.status).toBe(404);
    expect((await json(noVersion)).issue[0].diagnostics).toContain("no version '9'");
    const bad = await api.fetch(`/fhir/Patient/${id}/_history/x1`);
    expect(bad.status).toBe(404);
    const noResource = await api.fetch(`/fhir/Patient/${data.id('absent')}/_history/1`);
    expect((await json(noResource)).issue[0].diagnostics).toMatch(/was not found/);
    expect((await api.fetch(`/fhir/Patient/${data.id('absent')}/_history`)).status).toBe(404);
  });

  it('lists an instance history newest first, with request and response on each entry', async () => {
    const bundle = await json(await api.fetch(`/fhir/Patient/${id}/_history`));
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 2 });
    expect(bundle.link[0]).toEqual({ relation: 'self', url: `${api.origin}/fhir/Patient/${id}/_history?_count=20` });
    const [newest, oldest] = bundle.entry as BundleEntry[];
    expect(newest).toMatchObject({
      fullUrl: `${api.origin}/fhir/Patient/${id}`,
      resource: { gender: 'female', meta: { versionId: '2' } },
      request: { method: 'PUT', url: `Patient/${id}` },
      response: { status: '200 OK', etag: 'W/"2"', lastModified: secondWrite },
    });
    expect(oldest?.response).toMatchObject({ status: '201 Created', etag: 'W/"1"', location: `${api.origin}/fhir/Patient/${id}/_history/1` });
  });

  it('keeps only versions written at or after _since, and pages with _count', async () => {
    const since = await json(await api.fetch(`/fhir/Patient/${id}/_history?_since=${encodeURIComponent(secondWrite)}`));
    expect(since.entry.map((e: BundleEntry) => e.resource?.meta?.versionId)).toEqual(['2']);
    const first = await json(await api.fetch(`/fhir/Patient/_history?_count=2`));
    expect(first.total).toBe(3);
    expect(first.entry.map((e: BundleEntry) => `${e.resource?.id}@${e.resource?.meta?.versionId}`)).toEqual([`${id}@2`, `${other}@1`]);
    const next = first.link.find((l: { relation: string }) => l.relation === 'next').url as string;
    expect(next.startsWith(`${api.origin}/fhir/Patient/_history?_count=2&_cursor=`)).toBe(true);
    const second = await json(await api.fetch(next.replace(api.origin, '')));
    expect(second.entry.map((e: BundleEntry) => `${e.resource?.id}@${e.resource?.meta?.versionId}`)).toEqual([`${id}@1`]);
    expect(second.link.find((l: { relation: string }) => l.relation === 'next')).toBeUndefined();
  });

  it('refuses unknown and malformed history parameters, naming them', async () => {
    const response = await api.fetch(`/fhir/Patient/${id}/_history?_since=yesterday&_count=-1&_at=2024`);
    expect(response.status).toBe(400);
    const outcome = await json(response);
    expect(outcome.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(['_since', '_count', '_at']);
    expect(outcome.issue[2].diagnostics).toContain('_since');
    expect((await api.fetch('/fhir/Patient/_history', { method: 'DELETE' })).status).toBe(405);
  });
});
