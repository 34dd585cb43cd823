import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fhirDateProblem, splitDatePrefix } from '../../src/api/fhir/fhir-date.js';

const instants = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });

describe('fhirDateProblem', () => {
  it('accepts every real instant at every precision', () => {
    fc.assert(
      fc.property(instants, (when) => {
        const iso = when.toISOString();
        for (const value of [iso.slice(0, 4), iso.slice(0, 7), iso.slice(0, 10), iso.slice(0, 16), iso.slice(0, 19), iso]) {
          expect(fhirDateProblem(value)).toBeUndefined();
        }
      }),
    );
  });

  it('refuses a day past the end of its month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const probe = new Date(0);
        probe.setUTCFullYear(year, month, 0); // setUTCFullYear, unlike Date.UTC, does not map 0-99 to 19xx
        const last = probe.getUTCDate();
        const y = String(year).padStart(4, '0');
        const m = String(month).padStart(2, '0');
        expect(fhirDateProblem(`${y}-${m}-${last}`)).toBeUndefined();
        expect(fhirDateProblem(`${y}-${m}-${last + 1}`)).toContain(`day ${last + 1}`);
      }),
    );
  });

  it('follows the Gregorian leap-year rule, including years below 100', () => {
    expect(fhirDateProblem('0000-02-29')).toBeUndefined();
    expect(fhirDateProblem('2000-02-29')).toBeUndefined();
    expect(fhirDateProblem('1900-02-29')).toContain('day 29');
    expect(fhirDateProblem('0100-02-29')).toContain('day 29');
  });

  it('refuses months 00 and 13, day 00, and seconds 60', () => {
    expect(fhirDateProblem('2024-00')).toContain('month 00');
    expect(fhirDateProblem('2024-13-01')).toContain('month 13');
    expect(fhirDateProblem('2024-01-00')).toContain('day 00');
    expect(fhirDateProblem('2024-01-01T10:00:60Z')).toContain('impossible time');
  });
});

describe('splitDatePrefix', () => {
  it('splits a known prefix and defaults to eq', () => {
    expect(splitDatePrefix('ge2024')).toEqual({ prefix: 'ge', value: '2024', explicit: true });
    expect(splitDatePrefix('2024')).toEqual({ prefix: 'eq', value: '2024', explicit: false });
    expect(splitDatePrefix('xx2024')).toEqual({ prefix: 'eq', value: 'xx2024', explicit: false });
  });
});
