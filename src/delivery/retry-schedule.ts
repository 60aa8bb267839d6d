import { backoffDelay } from "../util/backoff.js";

/**
 * When to try a failed delivery again. Pure: the worker passes the random source, so tests pin it.
 *
 * Two tiers. Quick retries run in-process right after a failure, to ride out a blip (a reset
 * connection, a receiver restarting) within a second or two. After that the row goes back to the
 * persisted outbox on an exponential schedule, so the wait survives restarts and costs nothing.
 */
export const PERSISTED_RETRY = {
  /** The first persisted retry comes about this long after a failed round. */
  firstDelayMs: 5_000,
  factor: 2,
  maxDelayMs: 3_600_000,
  /** ± fraction: spreads the retries of many rows that failed together. */
  jitter: 0.2,
} as const;

export const QUICK_RETRY = {
  firstDelayMs: 500,
  factor: 2,
  /** A receiver asking for a longer pause gets it from the persisted schedule instead. */
  maxWaitMs: 2_000,
  jitter: 0.2,
} as const;

export interface DelayOptions {
  /** From the receiver's Retry-After: never retry sooner. */
  retryAfterMs?: number | undefined;
  /** Uniform in [0, 1): the worker's injected source. */
  random: () => number;
}

/**
 * Milliseconds until the next persisted attempt. `attempts` counts the failed rounds so far
 * (1 after the first): about 5 s, 10 s, 20 s … then at most an hour, ±20 %, and never before
 * Retry-After, even when that exceeds the cap.
 */
export function nextAttemptDelay(attempts: number, options: DelayOptions): number {
  const { firstDelayMs, factor, maxDelayMs, jitter } = PERSISTED_RETRY;
  const backoff = backoffDelay({
    attempt: attempts,
    min: firstDelayMs,
    factor,
    max: maxDelayMs,
    jitter,
    random: options.random,
  });
  return Math.max(Math.min(maxDelayMs, backoff), Math.ceil(options.retryAfterMs ?? 0));
}

/**
 * The wait before quick retry number `retry` (1-based), or undefined when the receiver asked for
 * a longer pause than quick retries may take.
 */
export function quickRetryDelay(retry: number, options: DelayOptions): number | undefined {
  const { firstDelayMs, factor, maxWaitMs, jitter } = QUICK_RETRY;
  const backoff = backoffDelay({
    attempt: retry,
    min: firstDelayMs,
    factor,
    max: Number.POSITIVE_INFINITY,
    jitter,
    random: options.random,
  });
  const wait = Math.max(backoff, Math.ceil(options.retryAfterMs ?? 0));
  return wait <= maxWaitMs ? wait : undefined;
}

/**
 * True once `at` is past the retry window that started when the row was created. Both times are on
 * the delivery worker's monotonic clock, so a wall-clock step cannot end a window early.
 */
export function isWindowOver(createdAt: number, windowMs: number, at: number): boolean {
  return at >= createdAt + windowMs;
}

export type RetryPlan = { kind: "retry"; at: number } | { kind: "dead" };

export interface RetryPlanInput extends DelayOptions {
  now: number;
  createdAt: number;
  windowMs: number;
  /** Persisted retries the row already had before this failed round. */
  retries: number;
}

/**
 * After a failed round: the time of the next attempt, or dead when the window is over. An attempt
 * that would fall after the window's end is moved to the end, for one last try; a Retry-After
 * that reaches past the end makes the row dead now, since it must not be honoured by trying sooner.
 */
export function planRetry(input: RetryPlanInput): RetryPlan {
  const { now, createdAt, windowMs } = input;
  if (isWindowOver(createdAt, windowMs, now)) return { kind: "dead" };
  const end = createdAt + windowMs;
  if (now + (input.retryAfterMs ?? 0) > end) return { kind: "dead" };
  const delay = nextAttemptDelay(input.retries + 1, input);
  return { kind: "retry", at: Math.min(now + delay, end) };
}
