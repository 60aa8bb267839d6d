import { withJitter } from "./jitter.js";

export interface BackoffOptions {
  minMs: number;
  factor: number;
  maxMs: number;
  /** ± fraction applied after the cap, so sessions stuck at the cap still spread out. */
  jitter: number;
  random: () => number;
}

/** 1 s, 2 s, 4 s … like p-retry's defaults; an hour bounds cron sessions whose next run is days away. */
export const DEFAULT_BACKOFF = { minMs: 1_000, factor: 2, maxMs: 3_600_000 } as const;

/**
 * Delay before the retry after `failures` consecutive failed polls, by p-retry's formula
 * `minTimeout * factor ** (attempt - 1)`. p-retry itself is not used here: its waits are its own
 * setTimeout calls, which cannot take an injected Clock, and a per-session retry loop would hold a
 * promise and timer per failing session instead of one heap entry.
 */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const attempt = Math.max(1, failures);
  // factor ** large overflows to Infinity, which Math.min turns back into the cap.
  const base = Math.min(options.minMs * options.factor ** (attempt - 1), options.maxMs);
  return withJitter(base, options.jitter, options.random);
}
