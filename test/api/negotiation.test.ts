import { describe, expect, it } from 'vitest';
import { negotiateFormat } from '../../src/api/negotiation.js';

describe('negotiateFormat', () => {
  it.each([
    undefined,
    '',
    'application/fhir+json',
    'application/json',
    'application/fhir+json; fhirVersion=4.0',
    '*/*',
    'application/*',
    'text/html, application/xhtml+xml, */*;q=0.8',
    'application/fhir+xml;q=1, application/fhir+json;q=0.5',
  ])('serves FHIR JSON for Accept %s', (accept) => {
    expect(negotiateFormat(accept, undefined)).toBeUndefined();
  });

  it.each([
    'application/fhir+xml',
    'text/html',
    'application/xml, text/plain',
    'application/fhir+json;q=0',
    'application/fhir+json; fhirVersion=3.0',
  ])('refuses Accept %s with 406', (accept) => {
    const refusal = negotiateFormat(accept, undefined);
    expect(refusal?.status).toBe(406);
    expect(refusal?.issues[0]?.code).toBe('not-supported');
  });

  it('lets _format override Accept, either way', () => {
    expect(negotiateFormat('application/xml', 'json')).toBeUndefined();
    expect(negotiateFormat('application/xml', 'application/fhir json')).toBeUndefined();
    expect(negotiateFormat('application/fhir+json', 'xml')?.status).toBe(406);
  });
});
