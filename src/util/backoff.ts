import { withJitter } from "./jitter.js";

export interface BackoffInput {
  /** 1 for the wait after the first failure, 2 after the second, … (values below 1 count as 1). */
  attempt: number;
  /** The first wait, in ms. */
  min: number;
  factor: number;
  /** The cap, in ms, before jitter. */
  max: number;
  /** ± fraction applied after the cap, so retries stuck at the cap still spread out. */
  jitter: number;
  /** Uniform in [0, 1) like Math.random; callers pass their injected source so tests pin it. */
  random: () => number;
}

/**
 * The one exponential backoff of authwatch (polls, deliveries, state writes, `wait`):
 * `min * factor ** (attempt - 1)`, capped at `max`, then ± jitter. Pure, like ofetch's retry delay:
 * the caller owns the clock and the random source.
 */
export function backoffDelay(input: BackoffInput): number {
  const attempt = Math.max(1, Math.floor(input.attempt));
  // factor ** large overflows to Infinity, which Math.min turns back into the cap.
  const base = Math.min(input.min * input.factor ** (attempt - 1), input.max);
  return withJitter(base, input.jitter, input.random);
}
