import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { sessionKey } from "../../src/types.js";
import {
  FAILING_PROJECTS_OF_HISTORY,
  keyEventHistory,
  pollFailingEvent,
  projectHealthHistory,
  REFUSED_KEYS_OF_HISTORY,
  ref,
  state,
  T0,
  tempDir,
  transitionEvent,
} from "./fixtures.js";

describe("store", () => {
  let temp: ReturnType<typeof tempDir>;
  let store: SqliteStore;

  beforeEach(() => {
    temp = tempDir();
    store = openStore(temp.file("nested/folder/state.db"));
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  const reopen = () => {
    store.close();
    store = openStore(temp.file("nested/folder/state.db"));
  };

  it("creates the parent folder and puts the file in WAL mode", () => {
    const db = new Database(store.path, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("returns the recorded states after a reopen, keyed by session key", () => {
    const a = ref("sess-a");
    const b = ref("sess-b", "other");
    store.recordTransition(a, state("READY", T0), transitionEvent(a, "READY"), []);
    store.recordTransition(b, { status: "NOT_FOUND", sessionType: null, since: T0 + 5 }, null, []);
    store.recordTransition(a, state("EXPIRED", T0 + 10), transitionEvent(a, "EXPIRED"), []);
    reopen();

    expect(store.loadSessions()).toEqual(
      new Map([
        [sessionKey(a), { status: "EXPIRED", sessionType: "CREDENTIALS", since: T0 + 10 }],
        [sessionKey(b), { status: "NOT_FOUND", sessionType: null, since: T0 + 5 }],
      ]),
    );
  });

  it("keeps a status the API may add later as-is", () => {
    const a = ref("sess-a");
    store.recordTransition(a, state("SUSPENDED"), transitionEvent(a, "SUSPENDED"), []);
    reopen();
    expect(store.loadSessions().get(sessionKey(a))?.status).toBe("SUSPENDED");
  });

  it("writes state, event and one pending delivery per sink in one transaction", () => {
    const a = ref("sess-a");
    const event = transitionEvent(a, "READY", { at: T0 + 1_000 });
    store.recordTransition(a, state("READY"), event, ["hook", "cmd", "hook"]);

    const [entry] = store.history();
    expect(entry?.event).toEqual(event);
    expect(entry?.deliveries.map((d) => [d.sink, d.status, d.attempts])).toEqual([
      ["cmd", "pending", 0],
      ["hook", "pending", 0],
    ]);
    const [row] = store.dueDeliveries("hook", T0 + 1_000, 10);
    expect(row).toMatchObject({
      eventId: event.data.eventId,
      nextAttemptAt: T0 + 1_000,
      createdAt: T0 + 1_000,
    });
    expect(store.outboxDepth()).toEqual({ cmd: 1, hook: 1 });
  });

  it("persists nothing of a transition whose outbox row cannot be written", () => {
    const a = ref("sess-a");
    store.recordTransition(a, state("PENDING"), transitionEvent(a, "PENDING"), ["hook"]);
    // A second connection plants a trigger that fails the insert of one outbox row.
    const saboteur = new Database(store.path);
    saboteur.exec(
      `CREATE TRIGGER fail_boom BEFORE INSERT ON deliveries WHEN NEW.sink = 'boom'
       BEGIN SELECT RAISE(ABORT, 'boom'); END`,
    );
    saboteur.close();

    expect(() =>
      store.recordTransition(a, state("READY", T0 + 1), transitionEvent(a, "READY"), ["hook", "boom"]),
    ).toThrow(/boom/);
    reopen();

    expect(store.loadSessions().get(sessionKey(a))?.status).toBe("PENDING");
    expect(store.history().map((e) => e.type)).toEqual(["authsession.pending"]);
    expect(store.outboxDepth()).toEqual({ hook: 1 });
  });

  it("persists nothing of a transition whose event cannot be written", () => {
    const a = ref("sess-a");
    store.recordTransition(a, state("PENDING"), transitionEvent(a, "PENDING", { eventId: "dup" }), ["hook"]);
    expect(() =>
      store.recordTransition(a, state("READY"), transitionEvent(a, "READY", { eventId: "dup" }), ["hook"]),
    ).toThrow();
    expect(store.loadSessions().get(sessionKey(a))?.status).toBe("PENDING");
    expect(store.outboxDepth()).toEqual({ hook: 1 });
  });

  it("writes a batch all or nothing", () => {
    const records = ["a", "b", "c"].map((id) => {
      const session = ref(`sess-${id}`);
      return {
        ref: session,
        state: state("READY"),
        event: transitionEvent(session, "READY"),
        deliverTo: ["hook"],
      };
    });
    const last = records[2]!;
    const broken = {
      ...last,
      event: { ...last.event, data: { ...last.event.data, eventId: records[0]!.event.data.eventId } },
    };
    expect(() => store.recordTransitions([records[0]!, records[1]!, broken])).toThrow();
    expect(store.loadSessions().size).toBe(0);
    expect(store.history()).toEqual([]);

    store.recordTransitions(records);
    reopen();
    expect(store.loadSessions().size).toBe(3);
    expect(store.outboxDepth()).toEqual({ hook: 3 });
  });

  it("records a health event with its deliveries, with or without a session", () => {
    const a = ref("sess-a");
    store.recordEvent(pollFailingEvent(a), sessionKey(a), ["hook"]);
    const unauthorized = {
      type: "watcher.unauthorized" as const,
      timestamp: new Date(T0).toISOString(),
      data: {
        eventId: "unauth-1",
        workspaceId: a.workspaceId,
        keySource: "env INTUNED_API_KEY",
        error: { code: "UNAUTHORIZED", message: "401" },
        observedAt: new Date(T0).toISOString(),
      },
    };
    store.recordEvent(unauthorized, null, ["hook"]);

    expect(store.history().map((e) => [e.type, e.sessionKey])).toEqual([
      ["authsession.poll_failing", sessionKey(a)],
      ["watcher.unauthorized", null],
    ]);
    expect(store.dueDeliveries("hook", T0, 10)).toHaveLength(2);
    expect(store.loadSessions().size).toBe(0);
  });

  it("remembers across a reopen which projects' lists were failing when it closed, by their last list-health event", () => {
    store.commit(projectHealthHistory());
    reopen();
    expect(store.failingProjects()).toEqual(FAILING_PROJECTS_OF_HISTORY);
  });

  it("remembers across a reopen which API keys were refused, by each key's last key event", () => {
    store.commit(keyEventHistory());
    reopen();
    expect(store.refusedKeys()).toEqual(REFUSED_KEYS_OF_HISTORY);
  });

  it("commits a mixed group of changes in order, all or nothing", () => {
    const a = ref("sess-a");
    const first = transitionEvent(a, "READY", { eventId: "first" });
    const failing = pollFailingEvent(a);
    store.commit([
      { kind: "transition", ref: a, state: state("READY", T0), event: first, deliverTo: ["hook"] },
      { kind: "event", event: failing, sessionKey: sessionKey(a), deliverTo: [] },
    ]);
    expect(store.history().map((e) => e.eventId)).toEqual(["first", failing.data.eventId]);
    expect(store.outboxDepth()).toEqual({ hook: 1 });

    const reused = transitionEvent(a, "EXPIRED", { eventId: "first" });
    expect(() =>
      store.commit([
        { kind: "transition", ref: a, state: state("EXPIRED", T0 + 1), event: null, deliverTo: [] },
        { kind: "transition", ref: a, state: state("EXPIRED", T0 + 1), event: reused, deliverTo: [] },
      ]),
    ).toThrow();
    expect(store.loadSessions().get(sessionKey(a))?.status).toBe("READY");
  });

  it("lists the events stored after a given event id, and says when that id is unknown", () => {
    const a = ref("sess-a");
    for (const id of ["e1", "e2", "e3"]) {
      store.recordTransition(a, state("READY"), transitionEvent(a, "READY", { eventId: id }), []);
    }
    expect(store.eventsAfter(null, 10)?.map((e) => e.eventId)).toEqual(["e1", "e2", "e3"]);
    expect(store.eventsAfter("e1", 10)?.map((e) => e.eventId)).toEqual(["e2", "e3"]);
    expect(store.eventsAfter("e1", 1)?.map((e) => e.event.data.eventId)).toEqual(["e2"]);
    expect(store.eventsAfter("e3", 10)).toEqual([]);
    expect(store.eventsAfter("never-stored", 10)).toBeUndefined();
  });

  it("lists the sinks disabled by a 410 with the fingerprint that was refused, across a reopen", () => {
    store.disableSink("hook", "fp-1", "GONE: 410");
    reopen();
    expect(store.disabledSinks()).toEqual(new Map([["hook", "fp-1"]]));
  });

  it("lists history oldest first, limited to the newest events, with delivery status per sink", () => {
    const a = ref("sess-a");
    const b = ref("sess-b");
    const statuses = ["PENDING", "READY", "EXPIRED"];
    for (const [i, status] of statuses.entries()) {
      store.recordTransition(a, state(status, T0 + i), transitionEvent(a, status, { at: T0 + i }), ["hook"]);
      store.recordTransition(b, state(status, T0 + i), transitionEvent(b, status, { at: T0 + i }), []);
    }
    const [first] = store.dueDeliveries("hook", T0 + 10, 10);
    store.markDelivered(first!.id, T0 + 20);

    const all = store.history();
    expect(all).toHaveLength(6);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));

    const ofA = store.history({ sessionKey: sessionKey(a) });
    expect(ofA.map((e) => e.type)).toEqual([
      "authsession.pending",
      "authsession.ready",
      "authsession.expired",
    ]);
    expect(ofA[0]?.deliveries).toEqual([
      { sink: "hook", status: "delivered", attempts: 1, lastError: null, deliveredAt: T0 + 20 },
    ]);
    expect(ofA[1]?.deliveries).toEqual([
      { sink: "hook", status: "pending", attempts: 0, lastError: null, deliveredAt: null },
    ]);

    const newest = store.history({ limit: 2 });
    expect(newest.map((e) => [e.sessionKey, e.type])).toEqual([
      [sessionKey(a), "authsession.expired"],
      [sessionKey(b), "authsession.expired"],
    ]);
    expect(newest[1]?.deliveries).toEqual([]);
  });

  it("reports unhealthy and throws STORE_ERROR naming the path once writes fail, healthy after one succeeds", () => {
    const a = ref("sess-a");
    store.close();
    store = openStore(temp.file("nested/folder/state.db"), { busyTimeoutMs: 1 });
    const locker = new Database(store.path);
    locker.exec("BEGIN IMMEDIATE");
    try {
      expect(() => store.recordTransition(a, state("READY"), transitionEvent(a, "READY"), [])).toThrow(
        expect.objectContaining({
          code: "STORE_ERROR",
          exitCode: 1,
          message: expect.stringContaining(store.path),
        }),
      );
      expect(store.isHealthy()).toBe(false);
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    store.recordTransition(a, state("READY"), transitionEvent(a, "READY"), []);
    expect(store.isHealthy()).toBe(true);
  });

  it("opens read-only for commands that only read: it reads what the daemon wrote and creates nothing", () => {
    const path = temp.file("nested/folder/state.db");
    store.recordTransition(ref("a"), state("READY"), transitionEvent(ref("a"), "READY"), []);
    const reader = openStore(path, { readOnly: true });
    try {
      expect(reader.loadSessions().get(sessionKey(ref("a")))?.status).toBe("READY");
      expect(reader.history()).toHaveLength(1);
    } finally {
      reader.close();
    }
    const missing = temp.file("elsewhere/state.db");
    expect(() => openStore(missing, { readOnly: true })).toThrow(
      expect.objectContaining({ code: "STORE_ERROR" }),
    );
    expect(existsSync(missing)).toBe(false);
  });

  it("prunes old events with their finished deliveries and keeps those still waiting to be delivered", () => {
    const old = T0 - 100 * 86_400_000;
    const done = transitionEvent(ref("a"), "READY", { at: old });
    const waiting = transitionEvent(ref("b"), "READY", { at: old });
    const recent = transitionEvent(ref("c"), "READY");
    store.recordTransition(ref("a"), state("READY", old), done, ["hook"]);
    store.recordTransition(ref("b"), state("READY", old), waiting, ["hook"]);
    store.recordTransition(ref("c"), state("READY"), recent, []);
    const [first] = store.dueDeliveries("hook", T0, 10);
    store.markDelivered(first!.id, T0);
    expect(store.pruneHistory(T0 - 90 * 86_400_000)).toBe(1);
    expect(store.history().map((entry) => entry.eventId)).toEqual([
      waiting.data.eventId,
      recent.data.eventId,
    ]);
    // The last state of each session is not history: it stays.
    expect(store.loadSessions().size).toBe(3);
  });

  it("reports unhealthy once closed", () => {
    store.close();
    expect(store.isHealthy()).toBe(false);
  });
});

describe("store durability", () => {
  it("keeps a commit when the process is killed right after it returns", () => {
    const temp = tempDir();
    onTestFinished(() => temp.cleanup());
    const file = temp.file("state.db");
    const storeModule = new URL("../../dist/store/store.js", import.meta.url).href;
    const script = `
      const { openStore } = await import(${JSON.stringify(storeModule)});
      const store = openStore(${JSON.stringify(file)});
      const ref = { workspaceId: "ws", projectName: "p", authSessionId: "killed" };
      store.recordTransition(ref, { status: "EXPIRED", sessionType: null, since: 1 }, null, []);
      process.kill(process.pid, "SIGKILL");`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script]);
    expect(child.signal).toBe("SIGKILL");
    const store = openStore(file);
    onTestFinished(() => store.close());
    expect(store.loadSessions().get("ws/p/killed")?.status).toBe("EXPIRED");
  });
});
