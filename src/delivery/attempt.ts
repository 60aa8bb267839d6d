import pRetry from "p-retry";
import type { Clock } from "../clock.js";
import { toErrorInfo } from "../errors/to-error-info.js";
import type { AuthwatchEvent } from "../events.js";
import type { DeliveryOutcome, Sink } from "../sinks/sink.js";
import { quickRetryDelay } from "./retry-schedule.js";

type RetryOutcome = Extract<DeliveryOutcome, { kind: "retry" }>;

/** Carries a retry outcome through p-retry, which retries on a thrown error. */
class RetryableOutcome extends Error {
  override name = "RetryableOutcome";
  constructor(readonly outcome: RetryOutcome) {
    super(outcome.error.message);
  }
}

export interface AttemptOptions {
  signal: AbortSignal;
  clock: Clock;
  random: () => number;
  quickRetries: number;
  /** Sink calls already made for this row in earlier rounds. */
  previousAttempts: number;
  /** The row's progress (see DeliveryContext.progress); each retry outcome's progress replaces it. */
  progress?: string | undefined;
  /** False once this process may no longer deliver (an HA leader that lost its lease): no more retries. */
  mayCall?: () => boolean;
}

export interface AttemptResult {
  /** The last outcome; a retry when every quick retry failed too. */
  outcome: DeliveryOutcome;
  /** Sink calls made in this round. */
  calls: number;
  /** True when the round ended because of the signal without a final answer. */
  aborted: boolean;
}

/**
 * One delivery round: a call, then up to `quickRetries` quick retries for retry outcomes.
 * p-retry's own timers are bypassed (minTimeout 0) and the wait happens in shouldRetry through the
 * injected Clock, so Retry-After is honoured, tests drive time, and the signal cuts the wait short.
 */
export async function attemptDelivery(
  sink: Sink,
  event: AuthwatchEvent,
  options: AttemptOptions,
): Promise<AttemptResult> {
  const { signal, clock, random } = options;
  let calls = 0;
  let last: DeliveryOutcome | undefined;
  let progress = options.progress;
  try {
    const outcome = await pRetry(
      async () => {
        calls += 1;
        last = await sink.deliver(event, { signal, attempt: options.previousAttempts + calls, progress });
        if (last.kind === "retry") {
          progress = last.progress ?? progress;
          throw new RetryableOutcome({ ...last, ...(progress === undefined ? {} : { progress }) });
        }
        return last;
      },
      {
        retries: options.quickRetries,
        minTimeout: 0,
        signal,
        shouldRetry: async ({ error, retriesConsumed }) => {
          if (!(error instanceof RetryableOutcome)) return false;
          if (options.mayCall && !options.mayCall()) return false;
          const wait = quickRetryDelay(retriesConsumed + 1, {
            retryAfterMs: error.outcome.retryAfterMs,
            random,
          });
          if (wait === undefined) return false;
          await clock.sleep(wait, signal);
          return true;
        },
      },
    );
    return { outcome, calls, aborted: false };
  } catch (error) {
    // A final answer counts even if the signal fired meanwhile (p-retry rejects once aborted):
    // recording a delivery that happened beats sending it again after a restart.
    if (last && last.kind !== "retry") return { outcome: last, calls, aborted: false };
    if (signal.aborted) {
      return {
        outcome: { kind: "retry", error: { code: "ABORTED", message: "delivery aborted" } },
        calls,
        aborted: true,
      };
    }
    if (error instanceof RetryableOutcome) return { outcome: error.outcome, calls, aborted: false };
    // Sinks promise never to throw; one that does is treated as a transient failure.
    return { outcome: { kind: "retry", error: toErrorInfo(error) }, calls, aborted: false };
  }
}
