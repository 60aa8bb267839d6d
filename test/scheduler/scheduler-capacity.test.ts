import { describe, expect, it } from "vitest";
import { createHarness, gaps, KEY_A, KEY_B, makeSession } from "./scheduler-harness.js";

const keyB = { source: KEY_B, value: "secret-b" };

describe("scheduler capacity", () => {
  it("never has more than `concurrency` polls in flight, and completes them all", async () => {
    const { clock, scheduler, polls, maxInFlight } = createHarness({
      concurrency: 4,
      durationMs: (id) => 100 + ((Number(id.slice(2)) * 137) % 900),
    });
    for (let i = 0; i < 30; i++) scheduler.upsert(makeSession(`s-${i}`), "READY", { dueAt: clock.now() });
    scheduler.start();
    expect(scheduler.inFlight()).toBe(4);
    expect(scheduler.stats().waiting).toBe(26);
    await clock.advance(30_000);
    expect(maxInFlight()).toBe(4);
    expect(new Set(polls.map((poll) => poll.id)).size).toBe(30);
    expect(polls.every((poll) => poll.finishedAt !== undefined)).toBe(true);
    expect(scheduler.inFlight()).toBe(0);
  });

  it("starts a waiting session as soon as a slot frees, oldest due first", async () => {
    const { clock, scheduler, polls } = createHarness({ concurrency: 1, durationMs: () => 1_000 });
    const t0 = clock.now();
    scheduler.upsert(makeSession("late"), "READY", { dueAt: t0 + 300 });
    scheduler.upsert(makeSession("early"), "READY", { dueAt: t0 + 200 });
    scheduler.upsert(makeSession("first"), "READY", { dueAt: t0 });
    scheduler.start();
    await clock.advance(5_000);
    expect(polls.slice(0, 3).map((poll) => [poll.id, poll.startedAt - t0])).toEqual([
      ["first", 0],
      ["early", 1_000],
      ["late", 2_000],
    ]);
  });

  it("spends a key's budget in a burst, then spaces starts 200 ms apart at 5 requests per second", async () => {
    const { clock, scheduler, polls } = createHarness({ maxRequestsPerSecond: 5 });
    const t0 = clock.now();
    for (let i = 0; i < 50; i++) scheduler.upsert(makeSession(`s-${i}`), "READY", { dueAt: t0 });
    scheduler.start();
    await clock.advance(20_000);
    const starts = polls.map((poll) => poll.startedAt - t0);
    expect(starts).toHaveLength(50);
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    const spacing = gaps(starts.slice(4));
    expect(Math.min(...spacing)).toBeGreaterThanOrEqual(200);
    // Not slower than the budget allows either: the 50th start is at 45 × 200 ms.
    expect(starts.at(-1)).toBe(9_000);
  });

  it("gives each API key its own budget", async () => {
    const { clock, scheduler, polls } = createHarness({ maxRequestsPerSecond: 5 });
    const t0 = clock.now();
    for (let i = 0; i < 10; i++) {
      scheduler.upsert(makeSession(`a-${i}`), "READY", { dueAt: t0 });
      scheduler.upsert(makeSession(`b-${i}`, { apiKey: keyB }), "READY", { dueAt: t0 });
    }
    scheduler.start();
    const atStart = polls.map((poll) => poll.id);
    expect(atStart.filter((id) => id.startsWith("a-"))).toHaveLength(5);
    expect(atStart.filter((id) => id.startsWith("b-"))).toHaveLength(5);
    await clock.advance(1_000);
    expect(polls).toHaveLength(20);
  });

  it("holds back a key paused by Retry-After until the pause ends, and not another key", async () => {
    const { clock, scheduler, startsOf } = createHarness({
      respond: (id, n) =>
        id === "a-limited" && n === 0
          ? { kind: "failed", retryAfterMs: 30_000, keyPause: { reason: "rate_limited", ms: 30_000 } }
          : { kind: "ok", status: "READY" },
    });
    const t0 = clock.now();
    scheduler.upsert(makeSession("a-limited"), "READY", { dueAt: t0 });
    scheduler.upsert(makeSession("a-other"), "READY", { dueAt: t0 + 5_000 });
    scheduler.upsert(makeSession("b-other", { apiKey: keyB }), "READY", { dueAt: t0 + 5_000 });
    scheduler.start();
    await clock.advance(10_000);
    expect(scheduler.stats().pausedKeys).toEqual([KEY_A]);
    await clock.advance(40_000);
    expect(startsOf("b-other")[0]).toBe(t0 + 5_000);
    expect(startsOf("a-other")[0]).toBe(t0 + 30_000);
    expect(startsOf("a-limited")[1]).toBe(t0 + 30_000);
  });

  it("retries a refused key after its pause, so a rotated key recovers without a restart", async () => {
    let refused = true;
    const { clock, scheduler, startsOf } = createHarness({
      respond: () =>
        refused
          ? { kind: "failed", keyPause: { reason: "unauthorized", ms: 60_000 } }
          : { kind: "ok", status: "READY" },
    });
    const t0 = clock.now();
    for (let i = 0; i < 3; i++) scheduler.upsert(makeSession(`s-${i}`), "READY", { dueAt: t0 + i * 10 });
    scheduler.start();
    await clock.advance(1_000);
    // The first refusal pauses the key before the other two sessions are due.
    expect(startsOf("s-1")).toEqual([]);
    refused = false;
    await clock.advance(60_000);
    expect(startsOf("s-1")).toEqual([t0 + 60_000]);
    expect(startsOf("s-2")).toEqual([t0 + 60_000]);
  });

  it("pauses and resumes a key on request", async () => {
    const { clock, scheduler, startsOf } = createHarness();
    const t0 = clock.now();
    scheduler.pauseKey(KEY_A, t0 + 20_000);
    scheduler.upsert(makeSession("abc"), "READY", { dueAt: t0 + 1_000 });
    scheduler.start();
    await clock.advance(5_000);
    expect(startsOf("abc")).toEqual([]);
    scheduler.resumeKey(KEY_A);
    await clock.advance(1);
    expect(startsOf("abc")).toEqual([t0 + 5_000]);
  });

  it("reports how late each poll started", async () => {
    const lateness: number[] = [];
    const { clock, scheduler } = createHarness({
      maxRequestsPerSecond: 5,
      onLate: (ms) => lateness.push(ms),
    });
    for (let i = 0; i < 8; i++) scheduler.upsert(makeSession(`s-${i}`), "READY", { dueAt: clock.now() });
    scheduler.start();
    await clock.advance(2_000);
    expect(lateness).toEqual([0, 0, 0, 0, 0, 200, 400, 600]);
  });
});
