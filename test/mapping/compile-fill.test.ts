import { describe, expect, it } from 'vitest';
import { generateFiller, type FillStep } from '../../src/mapping/compile-fill.js';

type Filler = (cur: unknown, run: unknown, into: Record<string, unknown>) => number;

const one = (v: string | undefined) => () => v;

describe('generateFiller', () => {
  it('sets the fields whose rules give a value, in order, and says FOUND', () => {
    const steps: FillStep[] = [
      { key: 'b', one: one('2'), fill: undefined, required: false },
      { key: 'a', one: one(undefined), fill: undefined, required: false },
      { key: 'weird "key"\n', one: one('3'), fill: undefined, required: false },
    ];
    const into: Record<string, unknown> = {};
    expect(generateFiller<Filler>(steps)(null, null, into)).toBe(1);
    expect(Object.entries(into)).toEqual([
      ['b', '2'],
      ['weird "key"\n', '3'],
    ]);
  });

  it('says NONE when nothing was found and MISSING when a required field found nothing', () => {
    const optional: FillStep[] = [{ key: 'a', one: one(undefined), fill: undefined, required: false }];
    expect(generateFiller<Filler>(optional)(null, null, {})).toBe(0);
    const required: FillStep[] = [
      { key: 'a', one: one('1'), fill: undefined, required: false },
      { key: 'b', one: one(undefined), fill: undefined, required: true },
    ];
    expect(generateFiller<Filler>(required)(null, null, {})).toBe(-1);
  });

  it('runs fillers that set their field themselves, passing on what they say', () => {
    const setsC = ((_c: unknown, _r: unknown, into: Record<string, unknown>) => {
      into['c'] = ['x'];
      return 1;
    }) as unknown as FillStep['fill'];
    const missing = (() => -1) as unknown as FillStep['fill'];
    const into: Record<string, unknown> = {};
    expect(generateFiller<Filler>([{ key: 'c', one: undefined, fill: setsC, required: false }])(null, null, into)).toBe(1);
    expect(into).toEqual({ c: ['x'] });
    expect(generateFiller<Filler>([{ key: 'd', one: undefined, fill: missing, required: true }])(null, null, {})).toBe(-1);
  });
});
