import { createRateLimiter } from "./rate-limiter.js";
import type { KeyPause } from "./types.js";

/** Whether polls that use one API key may start now: its request budget and its pause. */
export interface KeyGate {
  /** Epoch ms until which the key is paused (0 when never paused). */
  pausedUntil(): number;
  /** Why the key is paused (the reason of the pause that set `pausedUntil`). */
  pauseReason(): KeyPause["reason"];
  /** Pauses until `untilMs` unless already paused longer: a second 429 must not shorten the first. */
  extendPause(untilMs: number, reason?: KeyPause["reason"]): void;
  /** Lifts the pause now, however long it was meant to last. */
  resume(): void;
  isOpen(now: number): boolean;
  /** When `isOpen` turns true, assuming nothing else takes the budget. */
  openAt(now: number): number;
  /** Spends one request of the budget; call only when `isOpen(now)`. */
  take(now: number): void;
}

export function createKeyGate(maxRequestsPerSecond: number): KeyGate {
  const limiter = createRateLimiter(maxRequestsPerSecond);
  let pausedUntil = 0;
  let reason: KeyPause["reason"] = "rate_limited";

  const openAt = (now: number) => Math.max(pausedUntil, limiter.availableAt(now));
  return {
    pausedUntil: () => pausedUntil,
    pauseReason: () => reason,
    extendPause(untilMs, why = "rate_limited") {
      if (untilMs <= pausedUntil) return;
      pausedUntil = untilMs;
      reason = why;
    },
    resume() {
      pausedUntil = 0;
    },
    isOpen: (now) => openAt(now) <= now,
    openAt,
    take(now) {
      limiter.tryTake(now);
    },
  };
}
