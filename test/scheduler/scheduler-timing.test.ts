import { describe, expect, it } from "vitest";
import type { PollReport } from "../../src/scheduler/scheduler.js";
import { createHarness, gaps, makeSession } from "./scheduler-harness.js";

const failedPoll: PollReport = { kind: "failed" };

describe("scheduler timing", () => {
  it("polls sessions in due-time order, ties in the order they were added", async () => {
    const { clock, scheduler, polls } = createHarness();
    const t0 = clock.now();
    const dues: [string, number][] = [
      ["e5", 5_000],
      ["a1", 1_000],
      ["c3", 3_000],
      ["b2", 2_000],
      ["tie-first", 4_000],
      ["tie-second", 4_000],
    ];
    for (const [id, offset] of dues) scheduler.upsert(makeSession(id), "READY", { dueAt: t0 + offset });
    scheduler.start();
    await clock.advance(10_000);
    expect(polls.map((poll) => [poll.id, poll.startedAt - t0])).toEqual([
      ["a1", 1_000],
      ["b2", 2_000],
      ["c3", 3_000],
      ["tie-first", 4_000],
      ["tie-second", 4_000],
      ["e5", 5_000],
    ]);
  });

  it("uses the interval of the status each poll reported, and default for unknown ones", async () => {
    const statuses = ["PENDING", "READY", "SOMETHING_NEW", "EXPIRED"];
    const { clock, scheduler, startsOf } = createHarness({
      respond: (_id, n) => ({ kind: "ok", status: statuses[n] ?? "EXPIRED" }),
    });
    const t0 = clock.now();
    scheduler.upsert(makeSession("abc"), undefined, { dueAt: t0 });
    scheduler.start();
    await clock.advance(10_000 + 60_000 + 120_000 + 1);
    // PENDING 10 s, READY 1 m, unknown → default 2 m.
    expect(gaps(startsOf("abc"))).toEqual([10_000, 60_000, 120_000]);
    expect(scheduler.nextDueAt(makeSession("abc").key)).toBe(t0 + 190_000 + 300_000);
  });

  it("keeps successive polls within ± jitter of the interval and varies them", async () => {
    const { clock, scheduler, startsOf } = createHarness({ random: Math.random });
    scheduler.upsert(makeSession("abc", { jitter: 0.1 }), "PENDING", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(15_000_000);
    const intervals = gaps(startsOf("abc"));
    expect(intervals.length).toBeGreaterThan(200);
    // The session polls READY (the harness default) after its first poll: 60 s ± 10 %.
    expect(Math.min(...intervals)).toBeGreaterThanOrEqual(54_000);
    expect(Math.max(...intervals)).toBeLessThanOrEqual(66_000);
    expect(new Set(intervals).size).toBeGreaterThan(10);
  });

  it("spreads the first polls of many new sessions over the first second", async () => {
    const { clock, scheduler, polls } = createHarness({ random: Math.random });
    const t0 = clock.now();
    for (let i = 0; i < 1_000; i++) scheduler.upsert(makeSession(`s-${i}`), undefined);
    scheduler.start();
    await clock.advance(1_000);
    expect(polls).toHaveLength(1_000);
    const offsets = polls.map((poll) => poll.startedAt - t0);
    expect(Math.max(...offsets)).toBeLessThan(1_000);
    expect(new Set(offsets).size).toBeGreaterThan(500);
  });

  it("polls a cron session at its schedule's exact instants across the spring-forward change", async () => {
    const { clock, scheduler, startsOf } = createHarness();
    clock.set(Date.parse("2026-03-28T12:00:00Z"));
    const session = makeSession("nightly", { schedule: { cron: "30 2 * * *", timezone: "Europe/Berlin" } });
    scheduler.upsert(session, "READY", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(3 * 86_400_000);
    expect(startsOf("nightly").map((at) => new Date(at).toISOString())).toEqual([
      "2026-03-28T12:00:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("polls a cron session at 09:00 New York time on both sides of the November change", async () => {
    const { clock, scheduler, startsOf } = createHarness();
    clock.set(Date.parse("2026-10-31T12:00:00Z"));
    const session = makeSession("morning", { schedule: { cron: "0 9 * * *", timezone: "America/New_York" } });
    scheduler.upsert(session, "READY", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(2 * 86_400_000);
    expect(startsOf("morning").map((at) => new Date(at).toISOString())).toEqual([
      "2026-10-31T12:00:00.000Z",
      "2026-10-31T13:00:00.000Z",
      "2026-11-01T14:00:00.000Z",
    ]);
  });

  it("backs off 1, 2, 4, 8 s after failures, caps at the regular interval, and resets after a success", async () => {
    const script: PollReport[] = [
      ...Array.from({ length: 6 }, () => failedPoll),
      { kind: "ok", status: "PENDING" },
      failedPoll,
      failedPoll,
    ];
    const { clock, scheduler, startsOf } = createHarness({
      respond: (_id, n) => script[n] ?? { kind: "ok", status: "PENDING" },
    });
    scheduler.upsert(makeSession("flaky"), "PENDING", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(60_000);
    expect(gaps(startsOf("flaky")).slice(0, 9)).toEqual([
      1_000,
      2_000,
      4_000,
      8_000,
      10_000,
      10_000, // failures: doubling, then the 10 s PENDING interval
      10_000, // after the success: the regular interval
      1_000,
      2_000, // the count restarted
    ]);
  });

  it("keeps backoff within ± jitter of the doubling sequence", async () => {
    const { clock, scheduler, startsOf } = createHarness({
      random: Math.random,
      respond: () => failedPoll,
    });
    const session = makeSession("flaky", {
      jitter: 0.2,
      intervals: { ...makeSession("x").intervals, PENDING: 600_000 },
    });
    scheduler.upsert(session, "PENDING", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(200_000);
    const delays = gaps(startsOf("flaky")).slice(0, 7);
    expect(delays).toHaveLength(7);
    delays.forEach((delay, index) => {
      const exact = 1_000 * 2 ** index;
      expect(delay).toBeGreaterThanOrEqual(Math.floor(exact * 0.8));
      expect(delay).toBeLessThanOrEqual(Math.ceil(exact * 1.2));
    });
  });

  it("never retries sooner than the server's Retry-After", async () => {
    const { clock, scheduler, startsOf } = createHarness({
      respond: (_id, n) =>
        n === 0 ? { kind: "failed", retryAfterMs: 45_000 } : { kind: "ok", status: "PENDING" },
    });
    scheduler.upsert(makeSession("limited"), "PENDING", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(60_000);
    // Backoff alone would say 1 s and the PENDING interval 10 s; Retry-After wins.
    expect(gaps(startsOf("limited"))[0]).toBe(45_000);
  });
});
