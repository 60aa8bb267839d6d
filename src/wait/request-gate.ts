import type { Clock } from "../clock.js";

/**
 * Holds every request of one API key until a `Retry-After` has passed. Shared by all sessions on the
 * key, because the server limits the key, not the session: one session's 429 must slow the others too.
 */
export interface RequestGate {
  /** `at` on the clock's monotonic reading. */
  holdUntil(at: number): void;
  /** Resolves once requests may go out again; rejects with the signal's reason if it aborts first. */
  pass(signal: AbortSignal): Promise<void>;
}

export function createRequestGate(clock: Clock): RequestGate {
  let notBefore = Number.NEGATIVE_INFINITY;
  return {
    holdUntil(at) {
      notBefore = Math.max(notBefore, at);
    },
    async pass(signal) {
      // A loop, since another session may extend the hold while this one sleeps.
      for (let wait = notBefore - clock.monotonic(); wait > 0; wait = notBefore - clock.monotonic()) {
        await clock.sleep(wait, signal);
      }
    },
  };
}
