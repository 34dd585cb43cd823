import { describe, expect, it } from 'vitest';
import { buildSearchQuery } from '../../src/store/search-sql.js';

describe('buildSearchQuery', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('keeps every input value out of the SQL text', () => {
    const hostile = "x' OR 1=1; DROP TABLE resources; --";
    const { sql, params } = buildSearchQuery(
      'Patient',
      {
        criteria: [
          { param: 'identifier', values: [{ type: 'token', system: hostile, code: hostile }] },
          { param: 'family', values: [{ type: 'string', value: hostile }, { type: 'string', value: hostile, exact: true }] },
          { param: 'general-practitioner', values: [{ type: 'reference', reference: `Organization/${hostile}` }] },
          { param: 'birthdate', values: [{ type: 'date', prefix: 'ge', value: '1980' }] },
        ],
        count: 10,
        offset: 20,
      },
      now,
    );
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain('1980');
    expect(params).toContain(hostile);
    expect(params).toContain("x' or 1=1; drop table resources; --%");
    expect(params).toContain('1980-01-01T00:00:00.000Z');
    expect(params.slice(-2)).toEqual([10, 20]);
  });

  it('refuses paging that is not a whole number of 0 or more', () => {
    const query = (count: number, offset: number) => buildSearchQuery('Patient', { criteria: [], count, offset }, now);
    expect(() => query(-1, 0)).toThrow(/count must be a whole number/);
    expect(() => query(10, 1.5)).toThrow(/offset must be a whole number/);
  });

  it('refuses a criterion without values', () => {
    expect(() => buildSearchQuery('Patient', { criteria: [{ param: 'gender', values: [] }], count: 1, offset: 0 }, now)).toThrow(
      /"gender" was given no values/,
    );
  });
});
