import type { ErrorInfo } from "./types.js";

/** Consecutive-failure bookkeeping for one session, kept in memory by the watcher. */
export interface PollHealth {
  failures: number;
  /** True once poll_failing was emitted and until poll_recovered is. */
  failing: boolean;
  lastError: ErrorInfo | null;
}

export const HEALTHY: PollHealth = { failures: 0, failing: false, lastError: null };

export type HealthChange = "authsession.poll_failing" | "authsession.poll_recovered" | null;

/** A failed poll: poll_failing fires once, when the count reaches the threshold. */
export function recordFailure(
  health: PollHealth,
  error: ErrorInfo,
  threshold: number,
): { health: PollHealth; change: HealthChange } {
  const failures = health.failures + 1;
  const crossed = !health.failing && failures >= threshold;
  return {
    health: { failures, failing: health.failing || crossed, lastError: error },
    change: crossed ? "authsession.poll_failing" : null,
  };
}

/** A successful poll: poll_recovered fires only if poll_failing had fired. */
export function recordSuccess(health: PollHealth): { health: PollHealth; change: HealthChange } {
  return { health: HEALTHY, change: health.failing ? "authsession.poll_recovered" : null };
}
