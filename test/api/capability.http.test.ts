import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type RunningApi, startApi } from './support/server.js';
import { testCatalog } from './support/catalog.js';

describe('GET /fhir/metadata', () => {
  let api: RunningApi;
  const startedAt = new Date('2024-06-01T08:00:00.000Z');
  beforeAll(async () => {
    api = await startApi([], { startedAt });
  });
  afterAll(() => api.close());

  it('describes this server as an R4 JSON instance', async () => {
    const response = await api.fetch('/fhir/metadata');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    const statement = await json(response);
    expect(statement).toMatchObject({
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2024-06-01T08:00:00.000Z',
      kind: 'instance',
      fhirVersion: '4.0.1',
      software: { name: 'Junction' },
      implementation: { url: `${api.origin}/fhir` },
    });
    expect(statement.format).toContain('json');
    expect(statement.rest).toHaveLength(1);
    expect(statement.rest[0].mode).toBe('server');
    expect(statement.rest[0].resource.map((r: { type: string }) => r.type)).toEqual([
      'Patient',
      'Encounter',
      'Organization',
      'Practitioner',
      'Location',
      'Provenance',
      'AllergyIntolerance',
      'Condition',
      'Procedure',
      'Observation',
      'MedicationStatement',
      'MedicationRequest',
      'Immunization',
      'RelatedPerson',
      'Coverage',
      'CareTeam',
    ]);
  });

  it('lists read, vread, search, history and each catalog parameter per resource', async () => {
    const statement = await json(await api.fetch('/fhir/metadata'));
    const byType = new Map(statement.rest[0].resource.map((r: { type: string }) => [r.type, r]));
    const patientCapability = byType.get('Patient') as Record<string, any>;
    expect(patientCapability.interaction.map((i: { code: string }) => i.code)).toEqual([
      'read',
      'vread',
      'search-type',
      'history-instance',
      'history-type',
    ]);
    expect(patientCapability.readHistory).toBe(true);
    expect(patientCapability.operation).toEqual([
      { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
    ]);
    expect((byType.get('Encounter') as Record<string, any>).searchInclude).toContain('Encounter:patient');
    const expected = Object.entries(testCatalog.params('Patient') ?? {}).map(([name, d]) => ({
      name,
      type: d.type,
      documentation: d.description,
    }));
    expect(patientCapability.searchParam).toEqual(expected);
    expect(patientCapability.searchParam.map((p: { name: string }) => p.name)).toContain('general-practitioner');
    // the test catalog knows nothing of Organization, so it lists no parameters
    expect((byType.get('Organization') as Record<string, any>).searchParam).toBeUndefined();
  });

  it('refuses other methods with 405 and an Allow header', async () => {
    const response = await api.fetch('/fhir/metadata', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect((await json(response)).resourceType).toBe('OperationOutcome');
  });
});
