import { isRetryableApiError, RateLimitedError } from "../api/errors.js";
import { type PollResult, pollSession } from "../api/poll.js";
import type { IntunedClient } from "../api/types.js";
import type { Clock } from "../clock.js";
import type { SessionRef } from "../types.js";
import { backoffDelay } from "../util/backoff.js";
import type { RequestGate } from "./request-gate.js";

export interface PollWithRetryOptions<T = PollResult> {
  client: IntunedClient;
  gate: RequestGate;
  ref: SessionRef;
  clock: Clock;
  /** Uniform in [0, 1) for the backoff's jitter. */
  random: () => number;
  /** Aborts at the deadline, on a stop and on the caller's abort; cuts a request in flight too. */
  signal: AbortSignal;
  /** On the clock's monotonic reading: after it a failure is final instead of retried. */
  deadline: number;
  /** Backoff bounds; the upper one is the poll interval, as retrying slower than polling helps nobody. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Every failed attempt, before the decision to retry. */
  onFailure(error: unknown): void;
  /** The request to make; default one GET of `ref` (a project's list is the other). */
  request?: (signal: AbortSignal) => Promise<T>;
}

/** p-retry's `randomize: true` multiplies by 1..2; ± half of that around the middle spreads the same. */
const JITTER = 0.5;

/**
 * One poll that keeps trying through transient failures until the deadline, with the shared
 * backoff on the injected clock (so tests need no real sleeps). A `Retry-After` replaces the
 * backoff, through the key's gate so that no request of that key goes out sooner. Rejects with the
 * last error when it gives up, or with the signal's reason when that aborts.
 */
export async function pollWithRetry<T = PollResult>(options: PollWithRetryOptions<T>): Promise<T> {
  const { client, gate, ref, clock, signal, deadline } = options;
  const request =
    options.request ??
    ((s: AbortSignal) => pollSession(client, ref, { signal: s, now: clock.now }) as Promise<T>);
  let attempt = 0;
  for (;;) {
    try {
      await gate.pass(signal);
      return await request(signal);
    } catch (error) {
      // An abort is no failed poll: no callback, the reason goes straight back.
      if (signal.aborted) throw signal.reason;
      options.onFailure(error);
      if (!isRetryableApiError(error) || clock.monotonic() >= deadline) throw error;
      if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
        // At least the usual backoff: `Retry-After: 0` must not turn into a tight loop.
        gate.holdUntil(clock.monotonic() + Math.max(error.retryAfterMs, options.minBackoffMs));
        continue;
      }
      attempt++;
      const wait = backoffDelay({
        attempt,
        min: options.minBackoffMs,
        factor: 2,
        max: options.maxBackoffMs,
        jitter: JITTER,
        random: options.random,
      });
      await clock.sleep(Math.min(wait, options.maxBackoffMs), signal);
    }
  }
}
