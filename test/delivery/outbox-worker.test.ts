import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createOutboxWorker,
  type OutboxWorker,
  type OutboxWorkerOptions,
} from "../../src/delivery/outbox-worker.js";
import type { DeliveryResult, OutboxSinkEntry } from "../../src/delivery/types.js";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { createManualClock, type ManualClock } from "../helpers/manual-clock.js";
import { ref, state, T0, tempDir, transitionEvent } from "../store/fixtures.js";
import { captureLogger, createFakeSink, type FakeSink, OUTCOMES, type Step } from "./fake-sink.js";

describe("outbox worker", () => {
  let temp: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  let clock: ManualClock;
  let log: ReturnType<typeof captureLogger>;
  let worker: OutboxWorker | undefined;
  let results: Array<[string, DeliveryResult]>;

  beforeEach(() => {
    temp = tempDir();
    store = openStore(temp.file());
    clock = createManualClock(T0);
    log = captureLogger();
    results = [];
  });
  afterEach(async () => {
    const stopping = worker?.stop(1_000);
    await clock.advance(1_000);
    await stopping;
    worker = undefined;
    store.close();
    temp.cleanup();
  });

  const sink = (name: string, next: (eventId: string, call: number) => Step, retryWindowMs?: number) =>
    createFakeSink(name, (event, call) => next(event.data.eventId, call), {
      now: () => clock.now(),
      ...(retryWindowMs === undefined ? {} : { retryWindowMs }),
    });

  const startWorker = (sinks: FakeSink[], options: Partial<OutboxWorkerOptions> = {}): OutboxWorker => {
    worker = createOutboxWorker({
      store,
      sinks: new Map(sinks.map((s) => [s.config.name, { sink: s, fingerprint: `fp-${s.config.name}` }])),
      disabledSinks: store.disabledSinks(),
      clock,
      logger: log.logger,
      random: () => 0.5,
      metrics: { deliveryResult: (name, result) => results.push([name, result]) },
      ...options,
    });
    worker.start();
    return worker;
  };

  /** Records a transition of session `id` for the given sinks; returns the event id. */
  const record = (id: string, status: string, sinks: string[], at = clock.now()) => {
    const session = ref(id);
    const event = transitionEvent(session, status, { at });
    store.recordTransition(session, state(status, at), event, sinks);
    return event.data.eventId;
  };
  const statusOf = (eventId: string, sinkName: string) =>
    store
      .history()
      .find((e) => e.eventId === eventId)
      ?.deliveries.find((d) => d.sink === sinkName);

  it("dead-letters unsent a row whose retry window ended while nobody could try it (daemon down)", async () => {
    const stale = record("a", "EXPIRED", ["hook"], T0 - 3 * 86_400_000);
    const fresh = record("b", "EXPIRED", ["hook"]);
    const hook = sink("hook", () => OUTCOMES.delivered);
    startWorker([hook]);
    await clock.advance(0);
    expect(hook.calls.map((c) => c.eventId)).toEqual([fresh]);
    expect(statusOf(stale, "hook")).toMatchObject({ status: "dead", lastError: { code: "WINDOW_ENDED" } });
    expect(results).toContainEqual(["hook", "dead"]);
  });

  it("calls no sink while it may not deliver (an HA leader past its lease), and makes no quick retry then", async () => {
    let mayDeliver = false;
    const a = record("a", "EXPIRED", ["hook"]);
    const hook = sink("hook", (_id, call) => {
      // The lease is lost while the first attempt is in flight: its quick retries must not follow.
      if (call === 0) mayDeliver = false;
      return call === 0 ? OUTCOMES.retry : OUTCOMES.delivered;
    });
    startWorker([hook], { mayDeliver: () => mayDeliver });
    await clock.advance(10_000);
    expect(hook.calls).toEqual([]);
    expect(statusOf(a, "hook")).toMatchObject({ status: "pending", attempts: 0 });

    mayDeliver = true;
    worker!.notify("hook");
    await clock.advance(10_000);
    expect(hook.calls.map((c) => c.attempt)).toEqual([1]);
  });

  it("marks delivered rows with their attempt count and reports the result", async () => {
    const a = record("a", "READY", ["hook"]);
    const b = record("b", "EXPIRED", ["hook"]);
    const hook = sink("hook", () => OUTCOMES.delivered);
    startWorker([hook]);
    await clock.advance(0);

    expect(hook.calls.map((c) => [c.eventId, c.attempt])).toEqual([
      [a, 1],
      [b, 1],
    ]);
    expect(statusOf(a, "hook")).toEqual({
      sink: "hook",
      status: "delivered",
      attempts: 1,
      lastError: null,
      deliveredAt: T0,
    });
    expect(statusOf(b, "hook")?.status).toBe("delivered");
    expect(store.outboxDepth()).toEqual({});
    expect(results).toEqual([
      ["hook", "delivered"],
      ["hook", "delivered"],
    ]);
  });

  it("retries quickly in process, then on a persisted schedule that grows", async () => {
    const a = record("a", "READY", ["hook"]);
    const hook = sink("hook", () => OUTCOMES.retry);
    startWorker([hook]);

    await clock.advance(18_000);
    expect(hook.calls.map((c) => c.at - T0)).toEqual([0, 500, 1_500, 6_500, 7_000, 8_000, 18_000]);
    expect(hook.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(statusOf(a, "hook")).toMatchObject({
      status: "pending",
      attempts: 6,
      lastError: OUTCOMES.retry.error,
    });
    expect(results).toEqual([
      ["hook", "retry"],
      ["hook", "retry"],
    ]);
    const warning = log.lines().find((l) => l.level === 40);
    expect(warning).toMatchObject({ sink: "hook", eventId: a });
    expect(warning?.msg).toMatch(/next attempt in 5s/);
  });

  it("never retries before Retry-After, in process or persisted", async () => {
    const a = record("a", "READY", ["short"]);
    record("b", "READY", ["long"]);
    const short = sink("short", (_id, call) => (call < 2 ? OUTCOMES.retryAfter(1_500) : OUTCOMES.delivered));
    const long = sink("long", (_id, call) => (call === 0 ? OUTCOMES.retryAfter(60_000) : OUTCOMES.delivered));
    startWorker([short, long]);

    await clock.advance(59_999);
    expect(short.calls.map((c) => c.at - T0)).toEqual([0, 1_500, 3_000]);
    expect(statusOf(a, "short")).toMatchObject({ status: "delivered", attempts: 3 });
    expect(long.calls).toHaveLength(1);
    expect(store.nextDueAt("long")).toBe(T0 + 60_000);

    await clock.advance(1);
    expect(long.calls.map((c) => c.at - T0)).toEqual([0, 60_000]);
  });

  it("dead-letters a row when its sink's retry window ends, with a loud log line", async () => {
    const a = record("a", "EXPIRED", ["hook"]);
    const hook = sink("hook", () => OUTCOMES.retry, 20_000);
    startWorker([hook]);

    await clock.advance(60_000);
    // Rounds at 0, 6.5 s, 18 s and a last one at the window's end (20 s).
    expect(hook.calls.map((c) => c.at - T0)).toEqual([
      0, 500, 1_500, 6_500, 7_000, 8_000, 18_000, 18_500, 19_500, 20_000, 20_500, 21_500,
    ]);
    expect(statusOf(a, "hook")).toMatchObject({ status: "dead", attempts: 12 });
    expect(store.nextDueAt("hook")).toBeUndefined();
    const error = log.lines().find((l) => l.level === 50);
    expect(error).toMatchObject({ sink: "hook", eventId: a });
    expect(error?.msg).toContain("hook");
    expect(error?.msg).toContain(a);
    expect(results.at(-1)).toEqual(["hook", "dead"]);
  });

  it("dead-letters a permanent failure at once, and keeps going with the next event", async () => {
    const a1 = record("a", "PENDING", ["hook"]);
    const a2 = record("a", "READY", ["hook"]);
    const hook = sink("hook", (id) => (id === a1 ? OUTCOMES.permanent : OUTCOMES.delivered));
    startWorker([hook]);
    await clock.advance(0);

    expect(statusOf(a1, "hook")).toMatchObject({
      status: "dead",
      attempts: 1,
      lastError: OUTCOMES.permanent.error,
    });
    expect(statusOf(a2, "hook")?.status).toBe("delivered");
    expect(log.lines().find((l) => l.level === 50)).toMatchObject({ sink: "hook", eventId: a1 });
  });

  it("disables a sink that answers 410, persisted for the same config and lifted by a new one", async () => {
    const a = record("a", "READY", ["hook"]);
    const b = record("b", "READY", ["hook"]);
    record("a", "EXPIRED", ["hook"]);
    const gone = sink("hook", () => OUTCOMES.gone);
    startWorker([gone]);
    await clock.advance(0);

    // a and b were in flight together and both heard 410; a's second event was never sent.
    expect(gone.calls.map((c) => c.eventId)).toEqual([a, b]);
    expect(store.history().map((e) => e.deliveries[0]?.status)).toEqual(["disabled", "disabled", "disabled"]);
    const errors = log.lines().filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toEqual([
      "sink hook disabled: receiver answered 410 Gone; change its config and reload to re-enable",
    ]);
    expect(results).toEqual([["hook", "disabled"]]);
    const stopping = worker!.stop(100);
    await clock.advance(100);
    await stopping;

    store.close();
    store = openStore(temp.file());
    expect(store.isSinkDisabled("hook", "fp-hook")).toBe(true);
    const later = record("c", "READY", ["hook"]);
    const same = sink("hook", () => OUTCOMES.delivered);
    startWorker([same]);
    await clock.advance(0);
    expect(same.calls).toHaveLength(0);
    expect(statusOf(later, "hook")?.status).toBe("disabled");

    const moved: OutboxSinkEntry = { sink: same, fingerprint: "fp-new-url" };
    worker!.updateSinks(new Map([["hook", moved]]));
    const next = record("c", "EXPIRED", ["hook"]);
    worker!.notify("hook");
    await clock.advance(0);
    expect(same.calls.map((c) => c.eventId)).toEqual([next]);
    expect(statusOf(a, "hook")?.status).toBe("disabled");
    expect(statusOf(b, "hook")?.status).toBe("disabled");
  });

  it("keeps delivering to one sink while another hangs", async () => {
    const ids = ["a", "b", "c", "d", "e", "f"].map((id) => record(id, "READY", ["slow", "fast"]));
    const slow = sink("slow", () => "hang");
    const fast = sink("fast", () => OUTCOMES.delivered);
    startWorker([slow, fast]);
    await clock.advance(0);

    expect(fast.calls.map((c) => c.eventId)).toEqual(ids);
    expect(ids.map((id) => statusOf(id, "fast")?.status)).toEqual(ids.map(() => "delivered"));
    expect(slow.calls).toHaveLength(4);
    expect(store.outboxDepth()).toEqual({ slow: 6 });

    const later = record("g", "EXPIRED", ["slow", "fast"]);
    worker!.notify();
    await clock.advance(5_000);
    expect(statusOf(later, "fast")?.status).toBe("delivered");
    expect(slow.calls).toHaveLength(4);
  });

  it("keeps the order of events per session and never runs two of one session at once", async () => {
    const a1 = record("a", "PENDING", ["hook"]);
    const a2 = record("a", "READY", ["hook"]);
    const b1 = record("b", "PENDING", ["hook"]);
    const a3 = record("a", "EXPIRED", ["hook"]);
    let a1Failures = 0;
    const hook = sink("hook", (id) => {
      if (id === a1 && a1Failures < 3) {
        a1Failures += 1;
        return OUTCOMES.retry;
      }
      return OUTCOMES.delivered;
    });
    startWorker([hook], { concurrencyPerSink: 8 });

    await clock.advance(6_499);
    expect(hook.calls.map((c) => c.eventId)).toEqual([a1, b1, a1, a1]);
    await clock.advance(1);
    expect(hook.calls.map((c) => c.eventId)).toEqual([a1, b1, a1, a1, a1, a2, a3]);
    expect(hook.maxPerSession).toBe(1);
    expect([a1, a2, a3, b1].map((id) => statusOf(id, "hook")?.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "delivered",
    ]);
  });

  it("stop() aborts an attempt that outlives the timeout and leaves its row pending", async () => {
    const a = record("a", "READY", ["hook"]);
    const hook = sink("hook", () => "hang");
    startWorker([hook]);
    await clock.advance(0);
    expect(hook.calls).toHaveLength(1);

    let stopped = false;
    const stopping = worker!.stop(2_000).then(() => {
      stopped = true;
    });
    await clock.advance(1_599);
    expect(stopped).toBe(false);
    await clock.advance(401);
    await stopping;
    expect(stopped).toBe(true);
    worker = undefined;

    store.close();
    store = openStore(temp.file());
    expect(statusOf(a, "hook")).toMatchObject({ status: "pending", attempts: 0, lastError: null });
    expect(store.dueDeliveries("hook", clock.now(), 10).map((r) => r.eventId)).toEqual([a]);
  });

  it("notify() wakes the loop for rows written after start", async () => {
    const hook = sink("hook", () => OUTCOMES.delivered);
    startWorker([hook]);
    await clock.advance(0);
    const a = record("a", "READY", ["hook"]);
    worker!.notify("hook");
    await clock.advance(0);
    expect(statusOf(a, "hook")?.status).toBe("delivered");
  });

  it("never logs a sink's URL", async () => {
    record("a", "READY", ["hook"]);
    const hook = sink(
      "hook",
      (_id, call) => [OUTCOMES.retry, OUTCOMES.retry, OUTCOMES.retry, OUTCOMES.gone][call] ?? OUTCOMES.gone,
    );
    const url = "https://hooks.example.com/services/T0K3N-SECRET";
    Object.assign(hook.config, {
      type: "webhook",
      format: "slack",
      url: { source: "env SLACK_URL", value: url },
    });
    startWorker([hook]);
    await clock.advance(10_000);
    expect(log.lines().length).toBeGreaterThan(1);
    expect(log.text()).not.toContain("T0K3N");
  });

  it("coalesces a burst of notifications into one look at the outbox per sink", async () => {
    // Rows waiting for their retry: every look at the outbox finds nothing and costs a scan.
    for (let i = 0; i < 50; i++) record(`s${i}`, "READY", ["hook"]);
    for (const row of store.dueDeliveries("hook", clock.now(), 100)) {
      store.markRetry(row.id, { nextAttemptAt: T0 + 60_000, error: OUTCOMES.retry.error, attempts: 1 });
    }
    let queries = 0;
    const counting: SqliteStore = {
      ...store,
      dueDeliveries(...args) {
        queries += 1;
        return store.dueDeliveries(...args);
      },
    };
    const hook = sink("hook", () => OUTCOMES.delivered);
    startWorker([hook], { store: counting });
    await clock.advance(0);
    queries = 0;

    for (let i = 0; i < 1_000; i++) worker!.notify();
    await clock.advance(0);
    expect(queries).toBe(1);
    expect(hook.calls).toHaveLength(0);
  });

  it("starts delivering to a sink added by a reload and lets a removed one finish its attempt", async () => {
    const a = record("a", "READY", ["old"]);
    const old = sink("old", () => "hang");
    const added = sink("new", () => OUTCOMES.delivered);
    startWorker([old]);
    await clock.advance(0);
    expect(old.calls).toHaveLength(1);

    worker!.updateSinks(new Map([["new", { sink: added, fingerprint: "fp-new" }]]));
    const b = record("b", "READY", ["new"]);
    worker!.notify();
    await clock.advance(0);
    expect(statusOf(b, "new")?.status).toBe("delivered");
    // The removed sink's attempt is not cut off, but nothing more is sent to it.
    await clock.advance(60_000);
    expect(old.calls.map((c) => c.eventId)).toEqual([a]);
    expect(statusOf(a, "old")?.status).toBe("disabled");
  });

  it("marks rows of a sink that is no longer configured disabled at start, and says so", async () => {
    const a = record("a", "READY", ["removed"]);
    startWorker([]);
    await clock.advance(0);
    expect(statusOf(a, "removed")?.status).toBe("disabled");
    expect(store.outboxDepth()).toEqual({});
    expect(log.lines().find((l) => l.level === 40)).toMatchObject({ sink: "removed", count: 1 });
  });

  it("marks the pending rows of a sink removed by a reload disabled, so they neither wait forever nor count as depth", async () => {
    const keep = sink("keep", () => OUTCOMES.delivered);
    const gone = sink("gone", () => OUTCOMES.retry);
    startWorker([keep, gone]);
    const a = record("a", "READY", ["keep", "gone"]);
    worker!.notify();
    await clock.advance(10_000);
    expect(statusOf(a, "gone")?.status).toBe("pending");
    worker!.updateSinks(new Map([["keep", { sink: keep, fingerprint: "fp-keep" }]]));
    await clock.advance(0);
    expect(statusOf(a, "gone")?.status).toBe("disabled");
    expect(store.outboxDepth()).toEqual({});
  });
});
