import pRetry, { AbortError } from "p-retry";
import { isRetryableApiError, RateLimitedError } from "../api/errors.js";
import { type PollResult, pollSession } from "../api/poll.js";
import type { IntunedClient } from "../api/types.js";
import type { Clock } from "../clock.js";
import type { SessionRef } from "../types.js";
import type { RequestGate } from "./request-gate.js";

export interface PollWithRetryOptions {
  client: IntunedClient;
  gate: RequestGate;
  ref: SessionRef;
  clock: Clock;
  /** Aborts at the deadline, on a stop and on the caller's abort; cuts a request in flight too. */
  signal: AbortSignal;
  /** Epoch ms after which a failure is final instead of retried. */
  deadline: number;
  /** Backoff bounds; the upper one is the poll interval, as retrying slower than polling helps nobody. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Every failed attempt, before the decision to retry. */
  onFailure(error: unknown): void;
}

/**
 * One poll that keeps trying through transient failures until the deadline. p-retry supplies the
 * backoff; a `Retry-After` replaces it (p-retry does not read the header), through the key's gate so
 * that no request of that key goes out sooner. Rejects with the last error when it gives up, or with
 * the signal's reason when that aborts.
 */
export function pollWithRetry(options: PollWithRetryOptions): Promise<PollResult> {
  const { client, gate, ref, clock, signal, deadline } = options;
  return pRetry(
    async () => {
      try {
        await gate.pass(signal);
        return await pollSession(client, ref, { signal, now: clock.now });
      } catch (error) {
        // An abort is no failed poll: skip p-retry's callbacks and hand the reason straight back.
        if (signal.aborted) throw new AbortError(asError(signal.reason));
        throw error;
      }
    },
    {
      retries: Number.POSITIVE_INFINITY,
      factor: 2,
      minTimeout: options.minBackoffMs,
      maxTimeout: options.maxBackoffMs,
      randomize: true,
      signal,
      onFailedAttempt({ error }) {
        options.onFailure(error);
        if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
          // At least the usual backoff: `Retry-After: 0` must not turn into a tight loop.
          gate.holdUntil(clock.now() + Math.max(error.retryAfterMs, options.minBackoffMs));
        }
      },
      // The gate already waits out a Retry-After; p-retry's own delay on top would only add to it.
      shouldConsumeRetry: ({ error }) =>
        !(error instanceof RateLimitedError && error.retryAfterMs !== undefined),
      shouldRetry: ({ error }) => isRetryableApiError(error) && clock.now() < deadline,
    },
  );
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
