import { describe, expect, it } from 'vitest';
import { parseHl7DateTime, toFhirDate, toFhirDateTime } from '../../src/hl7v2/index.js';

describe('parseHl7DateTime', () => {
  it.each([
    ['2024', '2024', 'year'],
    ['202403', '2024-03', 'month'],
    ['20240315', '2024-03-15', 'day'],
    ['20240315+0100', '2024-03-15', 'day'],
    ['202403151430+0000', '2024-03-15T14:30:00+00:00', 'minute'],
    ['2024031514+0530', '2024-03-15T14:00:00+05:30', 'minute'],
    ['20240315143012-0500', '2024-03-15T14:30:12-05:00', 'second'],
    ['20240315143012.5+0000', '2024-03-15T14:30:12.5+00:00', 'millisecond'],
    ['20240315143012.1234+0200', '2024-03-15T14:30:12.1234+02:00', 'millisecond'],
    [' 20240229 ', '2024-02-29', 'day'],
  ] as const)('%s → %s', (input, iso, precision) => {
    expect(parseHl7DateTime(input)).toEqual({ iso, precision });
  });

  it('reads a time without an offset as London time (GMT in winter, BST in summer)', () => {
    expect(parseHl7DateTime('20240115093000')?.iso).toBe('2024-01-15T09:30:00+00:00');
    expect(parseHl7DateTime('20240715093000')?.iso).toBe('2024-07-15T09:30:00+01:00');
    // BST 2024 runs from 31 March 01:00 UTC to 27 October 01:00 UTC
    expect(parseHl7DateTime('20240331005959')?.iso).toBe('2024-03-31T00:59:59+00:00');
    expect(parseHl7DateTime('20240331020000')?.iso).toBe('2024-03-31T02:00:00+01:00');
    expect(parseHl7DateTime('20241027003000')?.iso).toBe('2024-10-27T00:30:00+01:00');
    // 01:30 happens twice on 27 October: the first (BST) is taken
    expect(parseHl7DateTime('20241027013000')?.iso).toBe('2024-10-27T01:30:00+01:00');
    expect(parseHl7DateTime('20241027023000')?.iso).toBe('2024-10-27T02:30:00+00:00');
    expect(parseHl7DateTime('199906301200')?.iso).toBe('1999-06-30T12:00:00+01:00');
  });

  it.each([
    '',
    '20',
    '20241',
    '202413',
    '202400',
    '20230229',
    '20240230',
    '20240431',
    '20240100',
    '2024031524',
    '202403151260',
    '20240315123060',
    '0000',
    '20240315.5',
    '20240315143012.',
    '20240315143012+01',
    '20240315143012+1500',
    '20240315143012+0160',
    '20240315143012Z',
    '2024-03-15',
    'abcd',
    '20240315 1430',
  ])('rejects %j', (input) => {
    expect(parseHl7DateTime(input)).toBeUndefined();
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseHl7DateTime('20000229')?.iso).toBe('2000-02-29');
    expect(parseHl7DateTime('19000229')).toBeUndefined();
  });
});

describe('toFhirDate / toFhirDateTime', () => {
  it('gives the date part only', () => {
    expect(toFhirDate('19650402')).toBe('1965-04-02');
    expect(toFhirDate('196504')).toBe('1965-04');
    expect(toFhirDate('20240315233000-0800')).toBe('2024-03-15');
    expect(toFhirDate('20241301')).toBeUndefined();
  });

  it('gives a dateTime, partial dates staying partial', () => {
    expect(toFhirDateTime('20240315142500')).toBe('2024-03-15T14:25:00+00:00');
    expect(toFhirDateTime('20240315')).toBe('2024-03-15');
    expect(toFhirDateTime('nonsense')).toBeUndefined();
  });
});
