import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { type AlertRuntime, startAlertRuntime } from "../../src/alerts/alert-runtime.js";
import type { AlertRule, MaintenanceWindow, ResolvedConfig, WatchedSession } from "../../src/config/types.js";
import { createEventPipeline } from "../../src/daemon/event-pipeline.js";
import { createEventBus } from "../../src/event-bus.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { type SessionState, sessionKey } from "../../src/types.js";
import { captureLog } from "../helpers/log-capture.js";
import { createManualClock, type ManualClock } from "../helpers/manual-clock.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const ref = {
  workspaceId: "123e4567-e89b-12d3-a456-426614174000",
  projectName: "billing",
  authSessionId: "login-1",
};
const KEY = sessionKey(ref);
const session = { ...ref, key: KEY, labels: { team: "growth" } } as unknown as WatchedSession;
const stuckPending: AlertRule = {
  name: "stuck-pending",
  status: "PENDING",
  forMs: 15 * MIN,
  repeatMs: HOUR,
  match: undefined,
};

interface Harness {
  clock: ManualClock;
  store: SqliteStore;
  states: Map<string, SessionState>;
  runtime: AlertRuntime;
  published: AuthwatchEvent[];
  /** Lets the writer commit what the runtime queued. */
  settle(): Promise<void>;
  stop(): void;
}

/** The runtime as the daemon wires it: a real SQLite file, the real state writer, a manual clock. */
async function start(options: {
  path?: string;
  clock?: ManualClock;
  rules?: AlertRule[];
  maintenance?: MaintenanceWindow[];
  state?: SessionState;
}): Promise<Harness & { path: string }> {
  const path = options.path ?? join(mkdtempSync(join(tmpdir(), "authwatch-alerts-")), "state.db");
  const clock = options.clock ?? createManualClock(T0);
  const store = openStore(path);
  const states = new Map<string, SessionState>([
    [KEY, options.state ?? { status: "PENDING", sessionType: "CREDENTIALS", since: T0 }],
  ]);
  const published: AuthwatchEvent[] = [];
  let runtime: AlertRuntime | undefined;
  const bus = createEventBus();
  bus.on("event", (event) => published.push(event));
  const writer = createEventPipeline({
    store,
    sinks: { route: () => ["hook"], deliverNow: () => undefined },
    bus,
    wakeDelivery: () => undefined,
    logger: captureLog().logger,
    clock,
    silence: (event) => runtime?.silenceFor(event),
  });
  runtime = await startAlertRuntime({
    clock,
    logger: captureLog().logger,
    store,
    config: {
      alerts: options.rules ?? [stuckPending],
      maintenance: options.maintenance ?? [],
    } as unknown as ResolvedConfig,
    sessions: () => [session],
    sessionOf: (key) => (key === KEY ? session : undefined),
    states,
    record: (event, key, change) => writer.recordEvent(event, key, change),
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    runtime?.stop();
    writer.close();
    store.close();
  };
  onTestFinished(stop);
  return { path, clock, store, states, runtime, published, settle: () => writer.flush(), stop };
}

const overdue = (events: AuthwatchEvent[]) =>
  events.flatMap((e) =>
    e.type === "authsession.overdue" ? [[e.data.reminder, Date.parse(e.timestamp) - T0]] : [],
  );

describe("overdue rules in the daemon's event path", () => {
  it("sends the first alert at `for`, reminders every `repeat`, each stored with its outbox row", async () => {
    const h = await start({});
    await h.clock.advance(14 * MIN);
    await h.settle();
    expect(h.published).toHaveLength(0);
    await h.clock.advance(MIN);
    await h.settle();
    await h.clock.advance(2 * HOUR);
    await h.settle();
    expect(overdue(h.published)).toEqual([
      [0, 15 * MIN],
      [1, 75 * MIN],
      [2, 135 * MIN],
    ]);
    const first = h.published[0];
    expect(first).toMatchObject({
      type: "authsession.overdue",
      data: {
        ...ref,
        sessionType: "CREDENTIALS",
        status: "PENDING",
        since: new Date(T0).toISOString(),
        heldForMs: 15 * MIN,
        rule: "stuck-pending",
        reminder: 0,
        labels: { team: "growth" },
      },
    });
    const history = h.store.history();
    expect(history.map((e) => [e.type, e.silencedBy, e.deliveries.map((d) => d.sink)])).toEqual([
      ["authsession.overdue", null, ["hook"]],
      ["authsession.overdue", null, ["hook"]],
      ["authsession.overdue", null, ["hook"]],
    ]);
  });

  it("resolves right after the transition that ends the status, saying how long it held and how many went out", async () => {
    const h = await start({});
    await h.clock.advance(80 * MIN);
    await h.settle();
    h.states.set(KEY, { status: "READY", sessionType: "CREDENTIALS", since: T0 + 80 * MIN });
    h.runtime.onTransition(KEY);
    await h.settle();
    expect(h.published.at(-1)).toMatchObject({
      type: "authsession.overdue_resolved",
      data: {
        rule: "stuck-pending",
        status: "PENDING",
        since: new Date(T0).toISOString(),
        heldForMs: 80 * MIN,
        reminders: 2,
      },
    });
    await h.clock.advance(5 * HOUR);
    await h.settle();
    expect(h.published.map((e) => e.type)).toEqual([
      "authsession.overdue",
      "authsession.overdue",
      "authsession.overdue_resolved",
    ]);
  });

  it("after a restart, sends a reminder that fell due while it was down once, then keeps the repeat", async () => {
    const first = await start({});
    await first.clock.advance(20 * MIN);
    await first.settle();
    expect(overdue(first.published)).toEqual([[0, 15 * MIN]]);
    first.stop();

    // Down from 12:20 to 16:00: three reminders fell due meanwhile.
    const clock = createManualClock(T0 + 4 * HOUR);
    const again = await start({ path: first.path, clock });
    await again.settle();
    await clock.advance(59 * MIN);
    await again.settle();
    expect(overdue(again.published)).toEqual([[1, 4 * HOUR]]);
    await clock.advance(MIN);
    await again.settle();
    expect(overdue(again.published)).toEqual([
      [1, 4 * HOUR],
      [2, 5 * HOUR],
    ]);
  });

  it("after a restart before the next repeat, sends nothing early", async () => {
    const first = await start({});
    await first.clock.advance(16 * MIN);
    await first.settle();
    first.stop();
    const clock = createManualClock(T0 + 30 * MIN);
    const again = await start({ path: first.path, clock });
    await clock.advance(44 * MIN);
    await again.settle();
    expect(again.published).toHaveLength(0);
    await clock.advance(MIN);
    await again.settle();
    expect(overdue(again.published)).toEqual([[1, 75 * MIN]]);
  });

  it("stores a reminder due inside a silence as silenced, never delivers it, and sends the first repeat after the silence ends", async () => {
    const h = await start({});
    h.store.addSilence({
      id: "sil_test",
      match: { project: "billing" },
      startsAt: T0,
      endsAt: T0 + 2 * HOUR,
      reason: "rotation",
      createdAt: T0,
    });
    await h.clock.advance(3 * HOUR + 15 * MIN);
    await h.settle();
    // 12:15 and 13:15 fall inside the silence; 14:15 is the first repeat after it.
    expect(overdue(h.published)).toEqual([
      [2, 135 * MIN],
      [3, 195 * MIN],
    ]);
    const stored = h.store
      .history()
      .map((e) => [
        e.type,
        (e.event.data as { reminder: number }).reminder,
        e.silencedBy,
        e.deliveries.length,
      ]);
    expect(stored).toEqual([
      ["authsession.overdue", 0, "sil_test", 0],
      ["authsession.overdue", 1, "sil_test", 0],
      ["authsession.overdue", 2, null, 1],
      ["authsession.overdue", 3, null, 1],
    ]);
  });

  it("applies a silence written by another process within seconds", async () => {
    const h = await start({});
    const other = openStore(h.path);
    other.addSilence({
      id: "sil_other",
      match: { labels: { team: "growth" } },
      startsAt: T0,
      endsAt: T0 + HOUR,
      reason: "r",
      createdAt: T0,
    });
    other.close();
    await h.clock.advance(2_000);
    expect(h.runtime.silenceOf(session)?.id).toBe("sil_other");
    await h.clock.advance(15 * MIN);
    await h.settle();
    expect(h.published).toHaveLength(0);
    expect(h.store.history()[0]?.silencedBy).toBe("sil_other");
  });

  it("silences events inside a maintenance window of the session's project", async () => {
    const window: MaintenanceWindow = {
      name: "noon",
      cron: "0 12 * * *",
      timezone: "UTC",
      durationMs: 30 * MIN,
      match: { project: "billing" },
    };
    const h = await start({ maintenance: [window] });
    await h.clock.advance(20 * MIN);
    await h.settle();
    expect(h.published).toHaveLength(0);
    expect(h.store.history()[0]?.silencedBy).toBe("maintenance:noon");
  });

  it("shows which rule is overdue since when", async () => {
    const h = await start({});
    expect(h.runtime.overdueOf(KEY)).toEqual([]);
    await h.clock.advance(16 * MIN);
    await h.settle();
    expect(h.runtime.overdueOf(KEY)).toEqual([
      { rule: "stuck-pending", overdueSince: T0 + 15 * MIN, reminders: 1 },
    ]);
  });
});
