/**
 * Retry delays for stage messages: exponential from `backoffMs`, capped at `maxBackoffMs`,
 * with a little downward jitter so messages that failed together do not all retry together.
 */
export interface BackoffPolicy {
  /** delay after the first failed delivery, in ms */
  readonly backoffMs: number;
  /** ceiling for any delay, in ms */
  readonly maxBackoffMs: number;
}

/** fraction of the delay that jitter may take away (delay lies in [(1 - JITTER) · d, d]) */
export const BACKOFF_JITTER = 0.2;

/**
 * Delay before redelivering a message whose delivery number `failedAttempt` (1-based) just failed.
 * `random` returns a number in [0, 1); injectable so tests are deterministic.
 */
export function retryDelayMs(failedAttempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.max(0, policy.backoffMs);
  const ceiling = Math.max(0, policy.maxBackoffMs);
  const exponent = Math.max(0, Math.floor(failedAttempt) - 1);
  // 2 ** exponent overflows to Infinity for large attempts, which Math.min then caps.
  const uncapped = base * 2 ** exponent;
  const capped = Math.min(ceiling, Number.isFinite(uncapped) ? uncapped : ceiling);
  const jitter = Math.min(Math.max(random(), 0), 1) * BACKOFF_JITTER;
  return Math.round(capped * (1 - jitter));
}
