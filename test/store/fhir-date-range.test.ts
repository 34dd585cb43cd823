import { describe, expect, it } from 'vitest';
import { parseDateRange, periodRange, requireDateRange } from '../../src/store/fhir-date-range.js';

describe('parseDateRange', () => {
  it.each([
    ['2024', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12', '2024-12-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-03-05T10:15Z', '2024-03-05T10:15:00.000Z', '2024-03-05T10:16:00.000Z'],
    ['2024-03-05T10:15:30+01:00', '2024-03-05T09:15:30.000Z', '2024-03-05T09:15:31.000Z'],
    ['2024-03-05T10:15:30.5-05:30', '2024-03-05T15:45:30.500Z', '2024-03-05T15:45:30.501Z'],
    ['0050-06', '0050-06-01T00:00:00.000Z', '0050-07-01T00:00:00.000Z'],
  ])('%s covers [%s, %s)', (text, start, end) => {
    expect(parseDateRange(text)).toEqual({ start, end });
  });

  it.each(['', '24', '2023-02-29', '2024-13', '2024-03-05T25:00Z', '2024-03-05 10:00', '05/03/2024', '2024-03-05T10'])(
    'rejects %j',
    (text) => {
      expect(parseDateRange(text)).toBeUndefined();
    },
  );

  it('names the parameter and the accepted forms when a search value is not a date', () => {
    expect(() => requireDateRange('yesterday', 'birthdate')).toThrow(/"birthdate": "yesterday" is not a FHIR date; use YYYY/);
  });
});

describe('periodRange', () => {
  it('spans from the start of the start to the end of the end', () => {
    expect(periodRange({ start: '2024-03-05', end: '2024-03-07' })).toEqual({
      start: '2024-03-05T00:00:00.000Z',
      end: '2024-03-08T00:00:00.000Z',
    });
  });
  it('is open where the period is open', () => {
    expect(periodRange({ start: '2024-03-05' })).toEqual({ start: '2024-03-05T00:00:00.000Z', end: 'infinity' });
    expect(periodRange({ end: '2024' })).toEqual({ start: '-infinity', end: '2025-01-01T00:00:00.000Z' });
    expect(periodRange({})).toBeUndefined();
    expect(periodRange(undefined)).toBeUndefined();
  });
});
