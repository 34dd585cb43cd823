import { describe, expect, it } from 'vitest';
import { parseSearch } from '../../src/api/fhir/search-parse.js';
import type { RequestParam } from '../../src/api/handler-types.js';
import { testCatalog } from './support/catalog.js';

const BASE = 'https://hie.example.org/fhir';

function parse(resourceType: 'Patient' | 'Encounter', query: string) {
  const params: RequestParam[] = [...new URLSearchParams(query).entries()];
  return parseSearch(params, { resourceType, definitions: testCatalog.params(resourceType) ?? {}, baseUrl: BASE });
}

function query(resourceType: 'Patient' | 'Encounter', text: string) {
  const result = parse(resourceType, text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${JSON.stringify(result.problems)}`);
  return result.query;
}

function problems(resourceType: 'Patient' | 'Encounter', text: string) {
  const result = parse(resourceType, text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return result.problems;
}

describe('token values', () => {
  it('reads system|code, |code, code and system|', () => {
    const q = query('Patient', 'identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number|9434765919,|LOCAL1,RX1,urn:sys|');
    expect(q.criteria).toEqual([
      {
        param: 'identifier',
        values: [
          { type: 'token', system: 'https://fhir.nhs.uk/Id/nhs-number', code: '9434765919' },
          { type: 'token', system: '', code: 'LOCAL1' },
          { type: 'token', code: 'RX1' },
          { type: 'token', system: 'urn:sys', code: '' },
        ],
      },
    ]);
  });

  it('keeps escaped commas and bars inside a value', () => {
    const q = query('Patient', 'identifier=' + encodeURIComponent('a\\,b|c\\|d'));
    expect(q.criteria[0]?.values).toEqual([{ type: 'token', system: 'a,b', code: 'c|d' }]);
  });

  it('refuses a lone bar and more than one bar', () => {
    expect(problems('Patient', 'gender=|')).toEqual([{ param: 'gender', message: expect.stringContaining('"|" alone') }]);
    expect(problems('Patient', 'identifier=a|b|c')[0]?.message).toContain("more than one '|'");
  });

  it('takes only well-formed ids in _id', () => {
    expect(query('Patient', '_id=p1,p-2.3').criteria).toEqual([
      { param: '_id', values: [{ type: 'token', code: 'p1' }, { type: 'token', code: 'p-2.3' }] },
    ]);
    expect(problems('Patient', '_id=bad_id')).toEqual([{ param: '_id', message: expect.stringContaining('not a valid FHIR id') }]);
  });
});

describe('string values', () => {
  it('reads plain and :exact values under the base parameter name', () => {
    const q = query('Patient', 'family=Smi&given:exact=Ann,Anne');
    expect(q.criteria).toEqual([
      { param: 'family', values: [{ type: 'string', value: 'Smi' }] },
      {
        param: 'given',
        values: [
          { type: 'string', value: 'Ann', exact: true },
          { type: 'string', value: 'Anne', exact: true },
        ],
      },
    ]);
  });

  it('refuses other modifiers, naming the parameter as sent', () => {
    expect(problems('Patient', 'family:contains=mit')).toEqual([
      { param: 'family:contains', message: expect.stringContaining(':contains is not supported') },
    ]);
  });
});

describe('date values', () => {
  it('reads every prefix and FHIR date precision', () => {
    const q = query(
      'Encounter',
      'date=2024&date=eq2024-03&date=ne2024-03-05&date=lt2024-03-05T10:15&date=gt2024-03-05T10:15:30Z' +
        '&date=le2024-03-05T10:15:30.123%2B01:00&date=ge2024-03-05T10:15:30-05:00&date=sa2020&date=eb2021&date=ap2022-02-28',
    );
    expect(q.criteria.map((c) => c.values[0])).toEqual([
      { type: 'date', prefix: 'eq', value: '2024' },
      { type: 'date', prefix: 'eq', value: '2024-03' },
      { type: 'date', prefix: 'ne', value: '2024-03-05' },
      { type: 'date', prefix: 'lt', value: '2024-03-05T10:15' },
      { type: 'date', prefix: 'gt', value: '2024-03-05T10:15:30Z' },
      { type: 'date', prefix: 'le', value: '2024-03-05T10:15:30.123+01:00' },
      { type: 'date', prefix: 'ge', value: '2024-03-05T10:15:30-05:00' },
      { type: 'date', prefix: 'sa', value: '2020' },
      { type: 'date', prefix: 'eb', value: '2021' },
      { type: 'date', prefix: 'ap', value: '2022-02-28' },
    ]);
  });

  it('restores a time-zone + that arrived unencoded (read as a space)', () => {
    const q = query('Encounter', 'date=ge2024-03-05T10:15:30+01:00');
    expect(q.criteria[0]?.values).toEqual([{ type: 'date', prefix: 'ge', value: '2024-03-05T10:15:30+01:00' }]);
  });

  it.each([
    ['2024-13', 'month 13'],
    ['2023-02-29', 'day 29'],
    ['2024-04-31', 'day 31'],
    ['2024-03-05T25:00', 'impossible time'],
    ['2024-3-5', 'not a date'],
    ['xx2024', 'not a date'],
    ['20240305', 'not a date'],
    ['2024-03-05T10:15:30+15:00', 'time-zone'],
    ['yesterday', 'not a date'],
  ])('refuses %s', (value, why) => {
    expect(problems('Patient', `birthdate=${encodeURIComponent(value)}`)).toEqual([
      { param: 'birthdate', message: expect.stringContaining(why) },
    ]);
  });

  it('accepts 29 February in a leap year', () => {
    expect(query('Patient', 'birthdate=2024-02-29').criteria).toHaveLength(1);
  });
});

describe('reference values', () => {
  it('normalises patient and subject ids to Patient/<id>', () => {
    const q = query('Encounter', 'patient=123&subject=Patient/456,789');
    expect(q.criteria).toEqual([
      { param: 'patient', values: [{ type: 'reference', reference: 'Patient/123' }] },
      {
        param: 'subject',
        values: [
          { type: 'reference', reference: 'Patient/456' },
          { type: 'reference', reference: 'Patient/789' },
        ],
      },
    ]);
  });

  it('gives a bare id the single declared target type, and leaves it bare when there are several', () => {
    expect(query('Encounter', 'service-provider=RX1').criteria[0]?.values).toEqual([
      { type: 'reference', reference: 'Organization/RX1' },
    ]);
    expect(query('Patient', 'general-practitioner=G123').criteria[0]?.values).toEqual([
      { type: 'reference', reference: 'G123' },
    ]);
  });

  it('uses a resource-type modifier as the target', () => {
    expect(query('Patient', 'general-practitioner:Organization=Y01').criteria).toEqual([
      { param: 'general-practitioner', values: [{ type: 'reference', reference: 'Organization/Y01' }] },
    ]);
    expect(problems('Patient', 'general-practitioner:Location=Y01')[0]?.param).toBe('general-practitioner:Location');
  });

  it('makes absolute references to this server relative and keeps foreign ones', () => {
    const q = query('Encounter', `patient=${encodeURIComponent(`${BASE}/Patient/42`)}&location=${encodeURIComponent('https://other.example/fhir/Location/9')}`);
    expect(q.criteria.map((c) => c.values[0])).toEqual([
      { type: 'reference', reference: 'Patient/42' },
      { type: 'reference', reference: 'https://other.example/fhir/Location/9' },
    ]);
  });

  it('refuses references of the wrong type or shape', () => {
    expect(problems('Encounter', 'patient=Organization/1')).toEqual([
      { param: 'patient', message: expect.stringContaining('points at Organization') },
    ]);
    expect(problems('Encounter', 'subject=Patient/a/b')[0]?.message).toContain('not a reference');
    expect(problems('Encounter', 'location=not%20an%20id')[0]?.message).toContain('not a reference');
  });
});

describe('criteria, paging and problems', () => {
  it('ORs comma-separated values and ANDs repeated parameters', () => {
    const q = query('Encounter', 'status=planned,in-progress&status=in-progress');
    expect(q.criteria).toEqual([
      {
        param: 'status',
        values: [
          { type: 'token', code: 'planned' },
          { type: 'token', code: 'in-progress' },
        ],
      },
      { param: 'status', values: [{ type: 'token', code: 'in-progress' }] },
    ]);
  });

  it('defaults to 20 from offset 0, allows _count=0 and caps _count at 1000', () => {
    expect(query('Patient', '')).toEqual({ criteria: [], count: 20, offset: 0 });
    expect(query('Patient', '_count=0&_offset=40')).toEqual({ criteria: [], count: 0, offset: 40 });
    expect(query('Patient', '_count=5000').count).toBe(1000);
  });

  it('ignores _format (content negotiation reads it)', () => {
    expect(query('Patient', '_format=json&gender=male').criteria).toEqual([
      { param: 'gender', values: [{ type: 'token', code: 'male' }] },
    ]);
  });

  it('refuses bad paging values', () => {
    expect(problems('Patient', '_count=-1&_offset=1.5&_count:x=1')).toEqual([
      { param: '_count', message: expect.stringContaining('not a whole number') },
      { param: '_offset', message: expect.stringContaining('not a whole number') },
      { param: '_count:x', message: 'takes no modifier' },
    ]);
    expect(problems('Patient', '_count=1&_count=2')).toEqual([{ param: '_count', message: 'is given more than once' }]);
  });

  it('reports every offending parameter, not only the first', () => {
    const found = problems('Patient', 'colour=blue&family=&birthdate=2024-99&gender=male&_sort=general-practitioner&name=a,,b');
    expect(found.map((p) => p.param)).toEqual(['colour', 'family', 'birthdate', '_sort', 'name']);
    expect(found[0]?.message).toContain('is not a search parameter of Patient; supported: ');
    expect(found[0]?.message).toContain('family');
    expect(found[1]?.message).toBe('has no value');
    expect(found[4]?.message).toContain('stray commas');
  });

  it('does not treat inherited object keys as parameters', () => {
    expect(problems('Patient', 'constructor=x&toString=y').map((p) => p.param)).toEqual(['constructor', 'toString']);
  });

  it('refuses modifiers on token and date parameters', () => {
    expect(problems('Patient', 'gender:not=male&birthdate:missing=true').map((p) => p.param)).toEqual([
      'gender:not',
      'birthdate:missing',
    ]);
  });
});

describe('sort, include, summary and cursor', () => {
  it('reads _sort keys in order, - meaning descending', () => {
    expect(query('Patient', '_sort=family,-birthdate,_id').sort).toEqual([
      { param: 'family', descending: false },
      { param: 'birthdate', descending: true },
      { param: '_id', descending: false },
    ]);
    expect(query('Encounter', '_sort=-date').sort).toEqual([{ param: 'date', descending: true }]);
    expect(problems('Patient', '_sort=shoe')[0]?.message).toContain('not a search parameter of Patient');
    expect(problems('Patient', '_sort=family&_sort=gender')[0]?.message).toBe('is given more than once');
  });

  it('reads _include as Type:parameter[:Target] for reference parameters of the searched type', () => {
    expect(query('Encounter', '_include=Encounter:patient&_include=Encounter:location:Location').include).toEqual([
      { param: 'patient' },
      { param: 'location', targetType: 'Location' },
    ]);
    expect(problems('Encounter', '_include=Patient:link')[0]?.message).toContain('cannot be included here');
    expect(problems('Encounter', '_include=Encounter:status')[0]?.message).toContain('not a reference parameter');
    expect(problems('Encounter', '_include=Encounter:location:Patient')[0]?.message).toContain('is not a type');
  });

  it('turns _summary=count into a count of 0, and refuses other summaries', () => {
    expect(query('Patient', '_summary=count&_count=50').count).toBe(0);
    expect(problems('Patient', '_summary=true')[0]?.message).toContain('use count');
  });

  it('passes a well-formed _cursor on and refuses it with _offset', () => {
    expect(query('Patient', '_cursor=abc-DEF_1').cursor).toBe('abc-DEF_1');
    expect(problems('Patient', '_cursor=a%2Fb')[0]?.param).toBe('_cursor');
    expect(problems('Patient', '_cursor=abc&_offset=20')[0]?.param).toBe('_offset');
  });
});
