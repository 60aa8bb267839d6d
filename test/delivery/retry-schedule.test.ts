import { describe, expect, it } from "vitest";
import {
  isWindowOver,
  nextAttemptDelay,
  PERSISTED_RETRY,
  planRetry,
  QUICK_RETRY,
  quickRetryDelay,
} from "../../src/delivery/retry-schedule.js";

const middle = () => 0.5;
const lowest = () => 0;
const highest = () => 0.999_999;

describe("nextAttemptDelay", () => {
  it("starts at about five seconds and doubles with each failed round", () => {
    expect([1, 2, 3, 4, 5].map((n) => nextAttemptDelay(n, { random: middle }))).toEqual([
      5_000, 10_000, 20_000, 40_000, 80_000,
    ]);
  });

  it("never exceeds the cap of one hour, however many rounds failed", () => {
    for (const attempts of [11, 12, 20, 100, 10_000]) {
      expect(nextAttemptDelay(attempts, { random: highest })).toBe(PERSISTED_RETRY.maxDelayMs);
      expect(nextAttemptDelay(attempts, { random: lowest })).toBeGreaterThanOrEqual(
        PERSISTED_RETRY.maxDelayMs * 0.8,
      );
    }
  });

  it("keeps jitter within plus or minus twenty percent", () => {
    for (let i = 0; i < 200; i++) {
      const delay = nextAttemptDelay(3, { random: Math.random });
      expect(delay).toBeGreaterThanOrEqual(16_000);
      expect(delay).toBeLessThanOrEqual(24_000);
    }
    expect(nextAttemptDelay(3, { random: lowest })).toBe(16_000);
    expect(nextAttemptDelay(3, { random: highest })).toBe(24_000);
  });

  it("never retries before Retry-After, even beyond the cap", () => {
    expect(nextAttemptDelay(1, { random: middle, retryAfterMs: 30_000 })).toBe(30_000);
    expect(nextAttemptDelay(1, { random: middle, retryAfterMs: 1_000 })).toBe(5_000);
    expect(nextAttemptDelay(20, { random: highest, retryAfterMs: 7_200_000 })).toBe(7_200_000);
  });
});

describe("quickRetryDelay", () => {
  it("waits about half a second, then a second", () => {
    expect(quickRetryDelay(1, { random: middle })).toBe(500);
    expect(quickRetryDelay(2, { random: middle })).toBe(1_000);
  });

  it("honours a short Retry-After and gives up on one longer than quick retries may wait", () => {
    expect(quickRetryDelay(1, { random: middle, retryAfterMs: 1_500 })).toBe(1_500);
    expect(quickRetryDelay(1, { random: middle, retryAfterMs: QUICK_RETRY.maxWaitMs + 1 })).toBeUndefined();
  });
});

describe("isWindowOver", () => {
  it("is over from the moment the window ends", () => {
    expect(isWindowOver(1_000, 500, 1_499)).toBe(false);
    expect(isWindowOver(1_000, 500, 1_500)).toBe(true);
  });
});

describe("planRetry", () => {
  const base = { createdAt: 0, windowMs: 60_000, retries: 0, random: middle };

  it("schedules the next attempt on the growing schedule inside the window", () => {
    expect(planRetry({ ...base, now: 1_000 })).toEqual({ kind: "retry", at: 6_000 });
    expect(planRetry({ ...base, now: 1_000, retries: 2 })).toEqual({ kind: "retry", at: 21_000 });
  });

  it("moves an attempt that would fall after the window to its end, for one last try", () => {
    expect(planRetry({ ...base, now: 50_000, retries: 3 })).toEqual({ kind: "retry", at: 60_000 });
  });

  it("dead-letters once the window is over", () => {
    expect(planRetry({ ...base, now: 60_000 })).toEqual({ kind: "dead" });
  });

  it("dead-letters when Retry-After reaches past the window rather than retrying sooner", () => {
    expect(planRetry({ ...base, now: 50_000, retryAfterMs: 20_000 })).toEqual({ kind: "dead" });
  });
});
