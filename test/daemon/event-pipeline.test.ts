import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createEventPipeline, type EventPipelineDeps } from "../../src/daemon/event-pipeline.js";
import { createEventBus } from "../../src/event-bus.js";
import type { PollHealthEvent, TransitionEvent } from "../../src/events.js";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { sessionKey } from "../../src/types.js";
import { captureLog } from "../helpers/log-capture.js";

const ref = { workspaceId: "123e4567-e89b-12d3-a456-426614174000", projectName: "p", authSessionId: "s-1" };

function transitionEvent(id: string, from: string | null, to: string): TransitionEvent {
  return {
    type: to === "READY" ? "authsession.ready" : "authsession.expired",
    timestamp: new Date().toISOString(),
    data: {
      eventId: id,
      ...ref,
      sessionType: null,
      from,
      to,
      observedAt: "",
      previousSince: null,
      labels: {},
    },
  };
}

function pollFailingEvent(id: string): PollHealthEvent {
  return {
    type: "authsession.poll_failing",
    timestamp: new Date().toISOString(),
    data: {
      eventId: id,
      ...ref,
      sessionType: null,
      error: { code: "SERVER_ERROR", message: "503" },
      failures: 3,
      observedAt: new Date().toISOString(),
      labels: {},
    },
  };
}

/** A real store whose writes fail while `failing` is set, as a full disk would. */
function flakyStore(): { store: SqliteStore; setFailing(on: boolean): void } {
  const real = openStore(join(mkdtempSync(join(tmpdir(), "authwatch-pipeline-")), "state.db"));
  onTestFinished(() => real.close());
  let failing = false;
  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      if (failing) throw new Error("SQLITE_FULL: database or disk is full");
      fn(...args);
    };
  const store: SqliteStore = Object.create(real);
  store.commit = guard(real.commit.bind(real));
  return { store, setFailing: (on) => (failing = on) };
}

/** A pipeline over `store` that records what it fans out, in the order it happens. */
function startPipeline(store: SqliteStore, options: Partial<EventPipelineDeps> & { route?: string[] } = {}) {
  const seen: string[] = [];
  const bus = createEventBus();
  bus.on("event", (event) => seen.push(`bus ${event.data.eventId}`));
  const stored: string[] = [];
  bus.on("stored", (event, silencedBy) =>
    stored.push(`${event.data.eventId}${silencedBy ? ` ${silencedBy}` : ""}`),
  );
  const log = captureLog();
  const pipeline = createEventPipeline({
    store,
    sinks: {
      route: () => options.route ?? [],
      deliverNow: (event) => seen.push(`now ${event.data.eventId}`),
    },
    bus,
    wakeDelivery: (sink) => seen.push(`wake ${sink}`),
    logger: log.logger,
    ...options,
  });
  onTestFinished(() => pipeline.close());
  return { pipeline, seen, stored, log };
}

const ready = { status: "READY", sessionType: null, since: 1 };
const expired = { status: "EXPIRED", sessionType: null, since: 2 };

describe("the event pipeline", () => {
  it("commits changes that arrive together in one transaction, then fans them out in order", async () => {
    const { store } = flakyStore();
    const { pipeline, seen } = startPipeline(store, { route: ["hook", "cmd"] });
    pipeline.recordTransition(ref, ready, transitionEvent("a", null, "READY"));
    pipeline.recordTransition(ref, expired, transitionEvent("b", "READY", "EXPIRED"));
    expect(seen).toEqual([]);
    await vi.waitFor(() => expect(seen).toHaveLength(6));
    // Each event reaches the bus, then the immediate sinks; each durable sink is woken once per commit.
    expect(seen).toEqual(["bus a", "now a", "bus b", "now b", "wake hook", "wake cmd"]);
    expect(store.history().map((entry) => entry.eventId)).toEqual(["a", "b"]);
    expect(store.outboxDepth()).toEqual({ hook: 2, cmd: 2 });
  });

  it("stores an event from any producer with its outbox rows, in order with the transitions", async () => {
    const { store } = flakyStore();
    const { pipeline, seen } = startPipeline(store, { route: ["hook"] });
    const failing = pollFailingEvent("f");
    pipeline.recordTransition(ref, ready, transitionEvent("a", null, "READY"));
    pipeline.recordEvent(failing, sessionKey(ref));
    await pipeline.flush();
    expect(seen.filter((line) => line.startsWith("bus"))).toEqual(["bus a", "bus f"]);
    expect(store.history().map((entry) => [entry.eventId, entry.sessionKey])).toEqual([
      ["a", sessionKey(ref)],
      ["f", sessionKey(ref)],
    ]);
    // Both queued for the sink, in the session's lane: the health event waits behind the transition.
    expect(store.outboxDepth()).toEqual({ hook: 2 });
    expect(store.dueDeliveries("hook", Date.now(), 10).map((row) => row.eventId)).toEqual(["a"]);
  });

  it("stores a silenced event for history and the /events stream, but gives it to no sink", async () => {
    const { store } = flakyStore();
    const { pipeline, seen, stored } = startPipeline(store, {
      route: ["hook"],
      silence: (event) => (event.data.eventId === "b" ? "sil_1" : undefined),
    });
    pipeline.recordTransition(ref, ready, transitionEvent("a", null, "READY"));
    pipeline.recordTransition(ref, expired, transitionEvent("b", "READY", "EXPIRED"));
    await pipeline.flush();
    expect(seen).toEqual(["bus a", "now a", "wake hook"]);
    expect(store.history().map((entry) => [entry.eventId, entry.silencedBy ?? null])).toEqual([
      ["a", null],
      ["b", "sil_1"],
    ]);
    expect(store.outboxDepth()).toEqual({ hook: 1 });
    // The daemon's /events feed listens to `stored`: it sees both, as the history has both.
    expect(stored).toEqual(["a", "b sil_1"]);
  });

  it("stores a change that brings no event without fanning anything out", async () => {
    const { store } = flakyStore();
    const { pipeline, seen } = startPipeline(store, { route: ["hook"] });
    pipeline.recordTransition(ref, { ...ready, sessionType: "CREDENTIALS" }, null);
    await pipeline.flush();
    expect(seen).toEqual([]);
    expect(store.loadSessions().get(sessionKey(ref))?.sessionType).toBe("CREDENTIALS");
    expect(store.outboxDepth()).toEqual({});
  });

  it("keeps changes the store refuses and writes them, in order, once it accepts writes again", async () => {
    const { store, setFailing } = flakyStore();
    const { pipeline, seen, log } = startPipeline(store, { retryDelayMs: 20 });
    setFailing(true);
    pipeline.recordTransition(ref, expired, transitionEvent("lost?", "READY", "EXPIRED"));
    await vi.waitFor(() => expect(pipeline.healthy()).toBe(false));
    expect(seen).toEqual([]);
    pipeline.recordTransition(
      ref,
      { status: "READY", sessionType: null, since: 3 },
      transitionEvent("later", "EXPIRED", "READY"),
    );
    setFailing(false);
    await vi.waitFor(() =>
      expect(seen.filter((line) => line.startsWith("bus"))).toEqual(["bus lost?", "bus later"]),
    );
    expect(store.history().map((entry) => entry.eventId)).toEqual(["lost?", "later"]);
    expect(pipeline.healthy()).toBe(true);
    expect(log.lines().some((line) => String(line.msg).includes("kept and retried"))).toBe(true);
  });
});
