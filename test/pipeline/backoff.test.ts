import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_JITTER, retryDelayMs } from '../../src/pipeline/backoff.js';

const policy = { backoffMs: 200, maxBackoffMs: 30_000 };
const noJitter = () => 0;

describe('retryDelayMs', () => {
  it('doubles from backoffMs with each failed attempt', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, policy, noJitter))).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('never exceeds maxBackoffMs, even for huge attempt numbers', () => {
    expect(retryDelayMs(8, policy, noJitter)).toBe(25_600);
    expect(retryDelayMs(9, policy, noJitter)).toBe(30_000);
    expect(retryDelayMs(5000, policy, noJitter)).toBe(30_000);
  });

  it('jitter only shortens the delay, by at most BACKOFF_JITTER of it', () => {
    expect(retryDelayMs(1, policy, () => 0.5)).toBe(200 * (1 - BACKOFF_JITTER / 2));
    expect(retryDelayMs(3, policy, () => 0.999999)).toBe(Math.round(800 * (1 - BACKOFF_JITTER * 0.999999)));
  });

  it('treats attempt 0 or below like the first attempt and a zero base as no delay', () => {
    expect(retryDelayMs(0, policy, noJitter)).toBe(200);
    expect(retryDelayMs(3, { backoffMs: 0, maxBackoffMs: 100 }, noJitter)).toBe(0);
  });

  it('stays within [(1 - jitter) · d, d] where d = min(max, base · 2^(attempt-1))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, backoffMs, maxBackoffMs, r) => {
          const d = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
          const delay = retryDelayMs(attempt, { backoffMs, maxBackoffMs }, () => r);
          expect(delay).toBeLessThanOrEqual(Math.round(d));
          expect(delay).toBeGreaterThanOrEqual(Math.floor(d * (1 - BACKOFF_JITTER)));
        },
      ),
    );
  });
});
