import { describe, expect, it } from "vitest";
import {
  firstPollTime,
  intervalFor,
  nextRegularTime,
  nextRetryTime,
} from "../../src/scheduler/next-poll-time.js";
import { withJitter } from "../../src/util/jitter.js";
import { makeSession } from "./scheduler-harness.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const intervals = { PENDING: 10_000, READY: 60_000, EXPIRED: 300_000, NOT_FOUND: 240_000, default: 120_000 };

describe("intervalFor", () => {
  it("uses each known status's own interval", () => {
    expect(
      ["PENDING", "READY", "EXPIRED", "NOT_FOUND"].map((status) => intervalFor(intervals, status)),
    ).toEqual([10_000, 60_000, 300_000, 240_000]);
  });

  it("uses default for unknown statuses, a never-observed session, and prototype names", () => {
    expect(intervalFor(intervals, "ARCHIVED")).toBe(120_000);
    expect(intervalFor(intervals, undefined)).toBe(120_000);
    expect(intervalFor(intervals, "constructor")).toBe(120_000);
    expect(intervalFor(intervals, "toString")).toBe(120_000);
  });
});

describe("withJitter", () => {
  it("keeps every draw within ± jitter and spreads them", () => {
    const draws = Array.from({ length: 10_000 }, () => withJitter(60_000, 0.1, Math.random));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(54_000);
    expect(Math.max(...draws)).toBeLessThanOrEqual(66_000);
    expect(new Set(draws).size).toBeGreaterThan(1_000);
    // Uniform over ±10%: both halves of the range are used.
    expect(draws.some((draw) => draw < 57_000)).toBe(true);
    expect(draws.some((draw) => draw > 63_000)).toBe(true);
  });

  it("reaches exactly the bounds at the extremes of random", () => {
    expect(withJitter(10_000, 0.2, () => 0)).toBe(8_000);
    expect(withJitter(10_000, 0.2, () => 0.5)).toBe(10_000);
    expect(withJitter(10_000, 0.2, () => 0.999_999_999)).toBe(12_000);
  });

  it("returns the interval itself without jitter", () => {
    expect(withJitter(10_000, 0, Math.random)).toBe(10_000);
  });
});

describe("nextRegularTime", () => {
  it("adds the status's interval with jitter to now", () => {
    const session = makeSession("abc", { intervals, jitter: 0.1 });
    expect(nextRegularTime(session, "PENDING", NOW, () => 0)).toBe(NOW + 9_000);
    expect(nextRegularTime(session, "READY", NOW, () => 0.5)).toBe(NOW + 60_000);
    expect(nextRegularTime(session, "SOMETHING_NEW", NOW, () => 0.5)).toBe(NOW + 120_000);
  });

  it("follows the cron schedule exactly, without jitter", () => {
    const session = makeSession("abc", { jitter: 0.1, schedule: { cron: "*/5 * * * *", timezone: "UTC" } });
    expect(nextRegularTime(session, "READY", NOW + 1, () => 0)).toBe(NOW + 300_000);
  });

  it("falls back to the interval when the schedule never fires", () => {
    const session = makeSession("abc", { intervals, schedule: { cron: "0 0 30 2 *", timezone: "UTC" } });
    expect(nextRegularTime(session, "READY", NOW, () => 0.5)).toBe(NOW + 60_000);
  });
});

describe("firstPollTime", () => {
  it("spreads new sessions over the first second", () => {
    const session = makeSession("abc", { intervals });
    const times = Array.from({ length: 1_000 }, () => firstPollTime(session, undefined, NOW, Math.random));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW);
    expect(Math.max(...times)).toBeLessThan(NOW + 1_000);
    expect(new Set(times).size).toBeGreaterThan(500);
  });

  it("stays within the interval when that is shorter than a second", () => {
    const session = makeSession("abc", { intervals: { ...intervals, PENDING: 200 } });
    expect(firstPollTime(session, "PENDING", NOW, () => 0.999)).toBe(NOW + 199);
  });
});

describe("nextRetryTime", () => {
  const session = makeSession("abc", { intervals });

  it("backs off exponentially but never past the next regular poll", () => {
    const delays = [1, 2, 3, 4, 5, 6].map(
      (failures) => nextRetryTime(session, "PENDING", failures, NOW, () => 0.5, undefined) - NOW,
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it("waits at least the server's Retry-After, even past the regular poll", () => {
    expect(nextRetryTime(session, "PENDING", 1, NOW, () => 0.5, 30_000)).toBe(NOW + 30_000);
    expect(nextRetryTime(session, "READY", 1, NOW, () => 0.5, 500)).toBe(NOW + 1_000);
  });
});
