import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { sessionKey } from "../../src/types.js";
import { ref, state, T0, tempDir, transitionEvent } from "./fixtures.js";

describe("outbox", () => {
  let temp: ReturnType<typeof tempDir>;
  let store: SqliteStore;

  beforeEach(() => {
    temp = tempDir();
    store = openStore(temp.file());
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  const record = (id: string, status: string, at: number, sinks = ["hook"]) => {
    const session = ref(id);
    const event = transitionEvent(session, status, { at });
    store.recordTransition(session, state(status, at), event, sinks);
    return event.data.eventId;
  };
  const error = { code: "HTTP_ERROR", message: "HTTP 503" };

  it("offers only the oldest pending row of each session, oldest first", () => {
    const a1 = record("a", "PENDING", T0);
    record("a", "READY", T0 + 1);
    const b1 = record("b", "PENDING", T0 + 2);
    record("b", "READY", T0 + 3);

    expect(store.dueDeliveries("hook", T0 + 10, 10).map((r) => r.eventId)).toEqual([a1, b1]);
    expect(store.dueDeliveries("hook", T0 + 10, 1).map((r) => r.eventId)).toEqual([a1]);
    expect(store.dueDeliveries("other", T0 + 10, 10)).toEqual([]);
  });

  it("holds a later event back while the earlier one of the same session waits for its retry", () => {
    const a1 = record("a", "PENDING", T0);
    const a2 = record("a", "READY", T0 + 1);
    const [first] = store.dueDeliveries("hook", T0, 10);
    store.markRetry(first!.id, { nextAttemptAt: T0 + 5_000, error, attempts: 1 });

    expect(store.dueDeliveries("hook", T0 + 4_999, 10)).toEqual([]);
    expect(store.nextDueAt("hook")).toBe(T0 + 5_000);
    const [retried] = store.dueDeliveries("hook", T0 + 5_000, 10);
    expect(retried).toMatchObject({ eventId: a1, attempts: 1, retries: 1, lastError: error });

    store.markDelivered(retried!.id, T0 + 5_001, 2);
    expect(store.dueDeliveries("hook", T0 + 5_001, 10).map((r) => r.eventId)).toEqual([a2]);
  });

  it("keeps a sink's progress across retries and a partly delivered row's refusal as its last error", () => {
    record("a", "EXPIRED", T0);
    const [row] = store.dueDeliveries("hook", T0, 1);
    expect(row?.progress).toBeNull();
    store.markRetry(row!.id, { nextAttemptAt: T0 + 1, error, attempts: 1, progress: '{"sent":["a@x"]}' });
    // A retry that learnt nothing new (the server was unreachable) keeps what the earlier one learnt.
    store.markRetry(row!.id, { nextAttemptAt: T0 + 2, error, attempts: 2 });
    const [again] = store.dueDeliveries("hook", T0 + 2, 1);
    expect(again?.progress).toBe('{"sent":["a@x"]}');
    const refused = { code: "SMTP_550", message: "sent to 1 of 2 recipients; refused for good: b@x" };
    store.markDelivered(again!.id, T0 + 3, 3, refused);
    expect(store.history()[0]?.deliveries[0]).toMatchObject({ status: "delivered", lastError: refused });
  });

  it("reports no next due time once nothing is pending", () => {
    expect(store.nextDueAt("hook")).toBeUndefined();
    record("a", "READY", T0);
    const [row] = store.dueDeliveries("hook", T0, 1);
    store.markDead(row!.id, error, T0 + 1, 3);
    expect(store.nextDueAt("hook")).toBeUndefined();
    expect(store.history()[0]?.deliveries).toEqual([
      { sink: "hook", status: "dead", attempts: 3, lastError: error, deliveredAt: null },
    ]);
  });

  it("keeps sinks independent: rows of one sink never block another", () => {
    const a1 = record("a", "PENDING", T0, ["slow", "fast"]);
    const a2 = record("a", "READY", T0 + 1, ["slow", "fast"]);
    const [fast] = store.dueDeliveries("fast", T0 + 1, 10);
    store.markDelivered(fast!.id, T0 + 2);
    expect(store.dueDeliveries("fast", T0 + 2, 10).map((r) => r.eventId)).toEqual([a2]);
    expect(store.dueDeliveries("slow", T0 + 2, 10).map((r) => r.eventId)).toEqual([a1]);
    expect(store.outboxDepth()).toEqual({ fast: 1, slow: 2 });
    expect(store.pendingSinks().sort()).toEqual(["fast", "slow"]);
  });

  it("disables a sink for the fingerprint that was refused, persisted across a reopen", () => {
    record("a", "PENDING", T0);
    record("b", "PENDING", T0);
    store.disableSink("hook", "fp-1", "HTTP 410 Gone");
    expect(store.markSinkRowsDisabled("hook")).toBe(2);
    store.close();
    store = openStore(temp.file());

    expect(store.isSinkDisabled("hook", "fp-1")).toBe(true);
    expect(store.isSinkDisabled("hook", "fp-2")).toBe(false);
    expect(store.isSinkDisabled("other", "fp-1")).toBe(false);
    expect(store.dueDeliveries("hook", T0, 10)).toEqual([]);
    expect(store.outboxDepth()).toEqual({});
    expect(store.history({ sessionKey: sessionKey(ref("a")) })[0]?.deliveries[0]?.status).toBe("disabled");
  });

  it("does not bring a disabled row back when its in-flight attempt reports a retry", () => {
    record("a", "PENDING", T0);
    const [row] = store.dueDeliveries("hook", T0, 1);
    store.markSinkRowsDisabled("hook");
    store.markRetry(row!.id, { nextAttemptAt: T0 + 1, error, attempts: 1 });
    store.markDead(row!.id, error, T0 + 1);
    expect(store.history()[0]?.deliveries[0]?.status).toBe("disabled");
  });

  it("serves events without a session as one lane of their own", () => {
    const unauthorized = (eventId: string) => ({
      type: "watcher.unauthorized" as const,
      timestamp: new Date(T0).toISOString(),
      data: {
        eventId,
        workspaceId: "w",
        keySource: "env INTUNED_API_KEY",
        error: { code: "UNAUTHORIZED", message: "401" },
        observedAt: "",
      },
    });
    store.recordEvent(unauthorized("u1"), null, ["hook"]);
    store.recordEvent(unauthorized("u2"), null, ["hook"]);
    const a1 = record("a", "READY", T0);
    expect(store.dueDeliveries("hook", T0, 10).map((r) => r.eventId)).toEqual(["u1", a1]);
  });
});
