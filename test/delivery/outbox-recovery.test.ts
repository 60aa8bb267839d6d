import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/clock.js";
import { createOutboxWorker, type OutboxWorker } from "../../src/delivery/outbox-worker.js";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { ref, state, tempDir, transitionEvent } from "../store/fixtures.js";
import { captureLogger, createFakeSink, type FakeSink, OUTCOMES } from "./fake-sink.js";

/** Real time and real files: what a restart after a crash and a shutdown look like to the outbox. */
describe("outbox across restarts", () => {
  let temp: ReturnType<typeof tempDir>;
  let store: SqliteStore | undefined;
  let worker: OutboxWorker | undefined;

  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(async () => {
    await worker?.stop(200);
    store?.close();
    temp.cleanup();
  });

  const startWorker = (s: SqliteStore, sink: FakeSink) => {
    worker = createOutboxWorker({
      store: s,
      sinks: new Map([["hook", { sink, fingerprint: "fp" }]]),
      disabledSinks: s.disabledSinks(),
      clock: systemClock,
      logger: captureLogger().logger,
    });
    worker.start();
    return worker;
  };

  const pendingIds = (s: SqliteStore) =>
    s
      .history()
      .filter((e) => e.deliveries.some((d) => d.status === "pending"))
      .map((e) => e.eventId);

  it("delivers rows left pending by a process that died, right after start", async () => {
    const before = openStore(temp.file());
    const ids = ["a", "b", "c"].map((id) => {
      const session = ref(id);
      const event = transitionEvent(session, "EXPIRED", { at: Date.now() });
      before.recordTransition(session, state("EXPIRED", Date.now()), event, ["hook"]);
      return event.data.eventId;
    });
    // No close(): the WAL holds the commits, as after a crash.
    store = openStore(temp.file());
    const hook = createFakeSink("hook", () => OUTCOMES.delivered);
    const startedAt = Date.now();
    startWorker(store, hook);

    await vi.waitFor(() => expect(pendingIds(store!)).toEqual([]), { timeout: 3_000, interval: 10 });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(hook.calls.map((c) => c.eventId)).toEqual(ids);
    before.close();
  });

  it("stop() returns within its timeout while an attempt ignores the abort, and the row stays pending", async () => {
    store = openStore(temp.file());
    const session = ref("a");
    const event = transitionEvent(session, "READY", { at: Date.now() });
    store.recordTransition(session, state("READY", Date.now()), event, ["hook"]);
    const hook = createFakeSink("hook", () => "hang-ignoring-abort");
    startWorker(store, hook);
    await vi.waitFor(() => expect(hook.calls).toHaveLength(1), { timeout: 2_000, interval: 5 });

    const stopAt = Date.now();
    await worker!.stop(300);
    const took = Date.now() - stopAt;
    worker = undefined;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(600);
    store.close();

    store = openStore(temp.file());
    expect(store.history()[0]?.deliveries).toEqual([
      { sink: "hook", status: "pending", attempts: 0, lastError: null, deliveredAt: null },
    ]);
    const again = createFakeSink("hook", () => OUTCOMES.delivered);
    startWorker(store, again);
    await vi.waitFor(() => expect(pendingIds(store!)).toEqual([]), { timeout: 3_000, interval: 10 });
    expect(again.calls.map((c) => [c.eventId, c.attempt])).toEqual([[event.data.eventId, 1]]);
  });

  it("stop() lets an attempt that finishes in time record its result", async () => {
    store = openStore(temp.file());
    const session = ref("a");
    const event = transitionEvent(session, "READY", { at: Date.now() });
    store.recordTransition(session, state("READY", Date.now()), event, ["hook"]);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hook = createFakeSink("hook", () => OUTCOMES.delivered);
    const slowHook: FakeSink = {
      ...hook,
      async deliver(e, context) {
        await gate;
        return hook.deliver(e, context);
      },
    };
    startWorker(store, slowHook);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = worker!.stop(2_000);
    setTimeout(release, 50);
    await stopping;
    worker = undefined;
    expect(store.history()[0]?.deliveries[0]?.status).toBe("delivered");
  });
});
