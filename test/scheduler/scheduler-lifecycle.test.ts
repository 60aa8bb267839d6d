import { describe, expect, it } from "vitest";
import { createHarness, gaps, makeSession } from "./scheduler-harness.js";

const pendingFast = makeSession("x").intervals;

describe("scheduler lifecycle", () => {
  it("never overlaps two polls of one session, even when a poll outlasts the interval", async () => {
    let maxActive = 0;
    const { clock, scheduler, polls } = createHarness({
      durationMs: () => 5_000,
      respond: () => ({ kind: "ok", status: "PENDING" }),
    });
    const session = makeSession("slow", { intervals: { ...pendingFast, PENDING: 1_000 } });
    scheduler.upsert(session, "PENDING", { dueAt: clock.now() });
    scheduler.start();
    for (let step = 0; step < 300; step++) {
      maxActive = Math.max(maxActive, polls.filter((poll) => poll.finishedAt === undefined).length);
      await clock.advance(100);
    }
    expect(maxActive).toBe(1);
    // Each poll starts one interval after the previous one finished.
    const starts = polls.map((poll) => poll.startedAt);
    expect(gaps(starts).every((gap) => gap === 6_000)).toBe(true);
    expect(starts.length).toBeGreaterThanOrEqual(4);
  });

  it("does not start a second poll when a session in flight is made due again", async () => {
    const { clock, scheduler, startsOf } = createHarness({ durationMs: () => 5_000 });
    const t0 = clock.now();
    const session = makeSession("abc");
    scheduler.upsert(session, "READY", { dueAt: t0 });
    scheduler.start();
    await clock.advance(1_000);
    expect(scheduler.nextDueAt(session.key)).toBeUndefined();
    scheduler.upsert(session, "READY", { dueAt: t0 + 1_000 });
    await clock.advance(1_000);
    expect(startsOf("abc")).toEqual([t0]);
    // The time asked for during the poll is kept for when it ends: it is past, so it goes at once.
    await clock.advance(3_000);
    expect(startsOf("abc")).toEqual([t0, t0 + 5_000]);
  });

  it("lets a removed session's poll finish without rescheduling it", async () => {
    const { clock, scheduler, startsOf, polls } = createHarness({ durationMs: () => 2_000 });
    const session = makeSession("gone");
    scheduler.upsert(session, "READY", { dueAt: clock.now() });
    scheduler.upsert(makeSession("never"), "READY", { dueAt: clock.now() + 1_000 });
    scheduler.start();
    scheduler.remove(session.key);
    scheduler.remove(makeSession("never").key);
    expect(scheduler.size()).toBe(0);
    expect(scheduler.inFlight()).toBe(1);
    await clock.advance(600_000);
    expect(polls[0]?.finishedAt).toBe(polls[0]!.startedAt + 2_000);
    expect(startsOf("gone")).toHaveLength(1);
    expect(startsOf("never")).toEqual([]);
    expect(scheduler.nextDueAt(session.key)).toBeUndefined();
    expect(scheduler.stats().heapEntries).toBeLessThanOrEqual(1);
  });

  it("does not overlap a session removed and added back while its poll is in flight", async () => {
    const { clock, scheduler, startsOf } = createHarness({ durationMs: () => 5_000 });
    const t0 = clock.now();
    const session = makeSession("back");
    scheduler.upsert(session, "READY", { dueAt: t0 });
    scheduler.start();
    scheduler.remove(session.key);
    scheduler.upsert(session, "READY");
    expect(scheduler.size()).toBe(1);
    await clock.advance(4_000);
    expect(startsOf("back")).toEqual([t0]);
    await clock.advance(120_000);
    expect(startsOf("back")[1]).toBe(t0 + 5_000 + 60_000);
  });

  it("schedules with the new interval when a session changes during its poll", async () => {
    const { clock, scheduler, startsOf } = createHarness({
      durationMs: () => 1_000,
      respond: () => ({ kind: "ok", status: "PENDING" }),
    });
    const t0 = clock.now();
    scheduler.upsert(makeSession("abc"), "PENDING", { dueAt: t0 });
    scheduler.start();
    scheduler.upsert(makeSession("abc", { intervals: { ...pendingFast, PENDING: 2_000 } }), "PENDING");
    await clock.advance(10_000);
    expect(startsOf("abc").slice(0, 3)).toEqual([t0, t0 + 3_000, t0 + 6_000]);
  });

  it("keeps a session's timing on a reload that does not change it", async () => {
    const { clock, scheduler } = createHarness();
    const session = makeSession("abc");
    scheduler.upsert(session, "READY", { dueAt: clock.now() + 40_000 });
    scheduler.start();
    await clock.advance(10_000);
    scheduler.upsert(makeSession("abc", { labels: { team: "growth" } }), "READY");
    expect(scheduler.nextDueAt(session.key)).toBe(clock.now() + 30_000);
  });

  it("reschedules a changed session from now, but never later than it was already due", async () => {
    const { clock, scheduler, startsOf } = createHarness();
    const t0 = clock.now();
    const session = makeSession("abc");
    scheduler.upsert(session, "READY", { dueAt: t0 + 50_000 });
    scheduler.start();
    await clock.advance(10_000);
    scheduler.upsert(makeSession("abc", { intervals: { ...pendingFast, READY: 5_000 } }), "READY");
    expect(scheduler.nextDueAt(session.key)).toBe(t0 + 15_000);
    scheduler.upsert(makeSession("abc", { intervals: { ...pendingFast, READY: 3_600_000 } }), "READY");
    expect(scheduler.nextDueAt(session.key)).toBe(t0 + 15_000);
    await clock.advance(10_000);
    expect(startsOf("abc")).toEqual([t0 + 15_000]);
    expect(scheduler.nextDueAt(session.key)).toBe(t0 + 15_000 + 3_600_000);
  });

  it("keeps a new session's first poll prompt when it changes before that poll", () => {
    const { clock, scheduler } = createHarness();
    scheduler.upsert(makeSession("abc"), undefined);
    const firstDue = scheduler.nextDueAt(makeSession("abc").key)!;
    scheduler.upsert(makeSession("abc", { jitter: 0.3 }), undefined);
    expect(scheduler.nextDueAt(makeSession("abc").key)).toBe(firstDue);
    expect(firstDue - clock.now()).toBeLessThan(1_000);
  });

  it("stops starting polls at stop() and resolves once the polls in flight finish", async () => {
    const { clock, scheduler, polls } = createHarness({ concurrency: 2, durationMs: () => 5_000 });
    for (let i = 0; i < 5; i++) scheduler.upsert(makeSession(`s-${i}`), "READY", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(1_000);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await clock.advance(3_000);
    expect(stopped).toBe(false);
    await clock.advance(1_000);
    await stopping;
    expect(stopped).toBe(true);
    await clock.advance(600_000);
    expect(polls).toHaveLength(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("aborts the polls in flight on request, so stop() resolves at once", async () => {
    const { clock, scheduler, polls } = createHarness({ durationMs: () => 60_000, honourAbort: true });
    for (let i = 0; i < 3; i++) scheduler.upsert(makeSession(`s-${i}`), "READY", { dueAt: clock.now() });
    scheduler.start();
    const before = clock.now();
    const stopping = scheduler.stop();
    scheduler.abortInFlight();
    await stopping;
    expect(clock.now()).toBe(before);
    expect(scheduler.inFlight()).toBe(0);
    expect(polls.every((poll) => poll.finishedAt === before)).toBe(true);
  });

  it("counts sessions, waiting polls and outcomes in its stats", async () => {
    const { clock, scheduler } = createHarness({
      concurrency: 1,
      durationMs: () => 1_000,
      respond: (id) => (id === "bad" ? { kind: "failed" } : { kind: "ok", status: "READY" }),
    });
    scheduler.upsert(makeSession("bad"), "READY", { dueAt: clock.now() });
    scheduler.upsert(makeSession("good"), "READY", { dueAt: clock.now() });
    scheduler.start();
    expect(scheduler.stats()).toMatchObject({ sessions: 2, inFlight: 1, waiting: 1, started: 1 });
    await clock.advance(2_000);
    // "bad" failed at 1 s and is retried at 2 s, when "good" finishes.
    expect(scheduler.stats()).toMatchObject({ inFlight: 1, waiting: 0, started: 3, succeeded: 1, failed: 1 });
  });

  it("treats a poll that throws as a failed poll", async () => {
    const { clock, scheduler, startsOf } = createHarness({
      respond: (_id, n) => {
        if (n === 0) throw new Error("boom");
        return { kind: "ok", status: "READY" };
      },
    });
    const t0 = clock.now();
    scheduler.upsert(makeSession("abc"), "READY", { dueAt: t0 });
    scheduler.start();
    await clock.advance(5_000);
    expect(startsOf("abc")).toEqual([t0, t0 + 1_000]);
  });
});
