import type pg from "pg";
import { describe, expect, it } from "vitest";
import { acquireLease } from "../../src/postgres/lease.js";
import { createPgAlertTables } from "../../src/postgres/pg-alert-tables.js";
import { createPostgresStore } from "../../src/postgres/postgres-store.js";
import { alertProgressKey } from "../../src/store/alert-tables.js";
import type { StoreChange } from "../../src/store/state-store.js";
import { sessionKey } from "../../src/types.js";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";
import {
  FAILING_PROJECTS_OF_HISTORY,
  keyEventHistory,
  pollFailingEvent,
  projectHealthHistory,
  REFUSED_KEYS_OF_HISTORY,
  ref,
  state,
  T0,
  transitionEvent,
} from "../store/fixtures.js";
import { migratedPool } from "./fixtures.js";

noteWhenPostgresMissing("test/postgres/postgres-store.test.ts");

function change(id: string, to: string, deliverTo: string[] = ["hook"], at = T0): StoreChange {
  const session = ref(id);
  return {
    kind: "transition",
    ref: session,
    state: state(to, at),
    event: transitionEvent(session, to, { at }),
    deliverTo,
  };
}

describe.skipIf(!postgresAvailable)("the PostgreSQL state store", () => {
  const cluster = usePostgresCluster();

  async function leaderStore(pool: pg.Pool, holder = "a") {
    const grant = await acquireLease(pool, "authwatch", holder, 60_000);
    if (!grant) throw new Error("lease not granted");
    return createPostgresStore({ pool, schema: "authwatch", location: "test", epoch: grant.epoch });
  }

  it("stores a group of changes with their events and outbox rows, and loads them back", async () => {
    const pool = await migratedPool(cluster());
    const store = await leaderStore(pool);
    await store.loadSessions();
    await store.commit([change("s1", "READY"), change("s2", "EXPIRED", ["hook", "mail"])]);
    const loaded = await store.loadSessions();
    expect(loaded.get(sessionKey(ref("s1")))).toEqual(state("READY"));
    expect(loaded.get(sessionKey(ref("s2")))?.status).toBe("EXPIRED");
    expect(await store.outboxDepth()).toEqual({ hook: 2, mail: 1 });
    const history = await store.history();
    expect(history.map((entry) => entry.type)).toEqual(["authsession.ready", "authsession.expired"]);
    expect(history[1]?.deliveries.map((d) => d.sink)).toEqual(["hook", "mail"]);
    expect((await store.eventsAfter(history[0]!.eventId, 10))?.map((e) => e.eventId)).toEqual([
      history[1]!.eventId,
    ]);
    expect(await store.eventsAfter("never-stored", 10)).toBeUndefined();
  });

  it("refuses every write once another instance holds the lease, and stores nothing of it", async () => {
    const pool = await migratedPool(cluster());
    const old = createPostgresStore({
      pool,
      schema: "authwatch",
      location: "test",
      epoch: (await acquireLease(pool, "authwatch", "a", 100))!.epoch,
    });
    await old.loadSessions();
    await old.commit([change("s1", "READY")]);
    const [row] = await old.dueDeliveries("hook", T0, 10);
    await expect.poll(() => acquireLease(pool, "authwatch", "b", 60_000)).not.toBeNull();
    await expect(old.commit([change("s1", "EXPIRED")])).rejects.toThrow(/lease \(epoch 1\) has passed/);
    await expect(old.markDelivered(row!.id, T0)).rejects.toThrow(/epoch 1/);
    // A fenced instance finds nothing to send, so a woken leader cannot deliver.
    expect(await old.dueDeliveries("hook", T0, 10)).toEqual([]);
    const current = createPostgresStore({ pool, schema: "authwatch", location: "test", epoch: 2 });
    expect((await current.loadSessions()).get(sessionKey(ref("s1")))?.status).toBe("READY");
    expect((await current.dueDeliveries("hook", T0, 10)).map((d) => d.eventId)).toEqual([row!.eventId]);
    expect((await current.history()).length).toBe(1);
    expect(old.isHealthy()).toBe(true);
  });

  it("waits for a commit in flight before a new holder's claim, so no write slips in after it", async () => {
    const pool = await migratedPool(cluster());
    await acquireLease(pool, "authwatch", "a", 100);
    const client = await pool.connect();
    await client.query("BEGIN");
    await client.query("SELECT 1 FROM authwatch.lease WHERE epoch = 1 FOR SHARE");
    await new Promise((resolve) => setTimeout(resolve, 200)); // the lease has expired meanwhile
    let claimed = false;
    const claim = acquireLease(pool, "authwatch", "b", 60_000).then((grant) => {
      claimed = true;
      return grant;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(claimed).toBe(false);
    await client.query("COMMIT");
    client.release();
    expect(await claim).toEqual({ holder: "b", epoch: 2 });
  });

  it("updates a session only at the version it read (compare-and-set)", async () => {
    const pool = await migratedPool(cluster());
    const a = await leaderStore(pool);
    await a.loadSessions();
    await a.commit([change("s1", "READY")]);
    // Another writer that read the row before that commit.
    const b = createPostgresStore({ pool, schema: "authwatch", location: "test", epoch: 1 });
    await expect(Promise.resolve(b.commit([change("s1", "PENDING")]))).rejects.toThrow(
      /changed in the database since they were read/,
    );
    await a.commit([change("s1", "EXPIRED")]);
    expect((await b.loadSessions()).get(sessionKey(ref("s1")))?.status).toBe("EXPIRED");
    await b.commit([change("s1", "PENDING")]);
    const { rows } = await pool.query("SELECT version FROM authwatch.sessions");
    expect(rows).toEqual([{ version: "3" }]);
  });

  it("serves each session's deliveries oldest first and promotes the next one when the head settles", async () => {
    const pool = await migratedPool(cluster());
    const store = await leaderStore(pool);
    await store.loadSessions();
    await store.commit([
      change("s1", "READY"),
      change("s1", "EXPIRED", ["hook"], T0 + 1),
      change("s2", "READY"),
    ]);
    const due = await store.dueDeliveries("hook", T0 + 10, 10);
    expect(due.map((d) => [d.sessionKey, d.event.type])).toEqual([
      [sessionKey(ref("s1")), "authsession.ready"],
      [sessionKey(ref("s2")), "authsession.ready"],
    ]);
    expect(await store.nextDueAt("hook")).toBe(T0);
    await store.markDelivered(due[0]!.id, T0 + 20);
    const next = await store.dueDeliveries("hook", T0 + 20, 10);
    expect(next.map((d) => d.event.type)).toEqual(["authsession.ready", "authsession.expired"]);
    await store.markRetry(due[1]!.id, {
      nextAttemptAt: T0 + 1_000,
      error: { code: "SERVER_ERROR", message: "HTTP 503" },
      attempts: 1,
    });
    await store.markDead(next[1]!.id, { code: "HTTP_ERROR", message: "HTTP 400" }, T0 + 30);
    expect(await store.outboxDepth()).toEqual({ hook: 1 });
    const history = await store.history({ sessionKey: sessionKey(ref("s1")) });
    expect(history.map((entry) => entry.deliveries[0]?.status)).toEqual(["delivered", "dead"]);
    expect(history[1]?.deliveries[0]?.lastError?.code).toBe("HTTP_ERROR");
  });

  it("keeps a sink's progress across retries and a partly delivered row's refusal as its last error", async () => {
    const pool = await migratedPool(cluster());
    const store = await leaderStore(pool);
    await store.loadSessions();
    await store.commit([change("s1", "EXPIRED", ["mail"])]);
    const [row] = await store.dueDeliveries("mail", T0 + 10, 10);
    expect(row?.progress).toBeNull();
    const retry = { nextAttemptAt: T0 + 1_000, error: { code: "SMTP_451", message: "451" }, attempts: 1 };
    await store.markRetry(row!.id, { ...retry, progress: '{"sent":["a@example.com"]}' });
    // A retry that learnt nothing new (the server was unreachable) keeps what the earlier one learnt.
    await store.markRetry(row!.id, { ...retry, attempts: 2 });
    const [again] = await store.dueDeliveries("mail", T0 + 1_000, 10);
    expect(again?.progress).toBe('{"sent":["a@example.com"]}');
    const refused = {
      code: "SMTP_550",
      message: "sent to 1 of 2 recipients; refused for good: b@example.com",
    };
    await store.markDelivered(again!.id, T0 + 1_010, 3, refused);
    const [entry] = await store.history({ sessionKey: sessionKey(ref("s1")) });
    expect(entry?.deliveries[0]).toMatchObject({ status: "delivered", lastError: refused });
  });

  it("remembers failing sessions and disabled sinks", async () => {
    const pool = await migratedPool(cluster());
    const store = await leaderStore(pool);
    await store.commit([
      {
        kind: "event",
        event: pollFailingEvent(ref("s1")),
        sessionKey: sessionKey(ref("s1")),
        deliverTo: ["hook"],
      },
    ]);
    expect([...(await store.failingSessions()).keys()]).toEqual([sessionKey(ref("s1"))]);
    await store.disableSink("hook", "fp1", "HTTP 410");
    expect(await store.disabledSinks()).toEqual(new Map([["hook", "fp1"]]));
    expect(await store.markSinkRowsDisabled("hook")).toBe(1);
    expect(await store.pendingSinks()).toEqual([]);
  });

  it("remembers which projects' lists were failing, by their last list-health event, for the next leader", async () => {
    const pool = await migratedPool(cluster());
    const store = await leaderStore(pool);
    await store.commit(projectHealthHistory());
    // A new leader (a restart, or a failover) reads it through its own store on the same database.
    const next = createPostgresStore({ pool, schema: "authwatch", location: "test" });
    expect(await next.failingProjects()).toEqual(FAILING_PROJECTS_OF_HISTORY);
  });

  it("remembers which API keys were refused, for the next leader to announce their recovery", async () => {
    const pool = await migratedPool(cluster());
    const store = await leaderStore(pool);
    await store.commit(keyEventHistory());
    const next = createPostgresStore({ pool, schema: "authwatch", location: "test" });
    expect(await next.refusedKeys()).toEqual(REFUSED_KEYS_OF_HISTORY);
  });

  it("keeps alert progress with its event across a restart, marks silenced events, and lists current silences", async () => {
    const pool = await migratedPool(cluster());
    const store = await leaderStore(pool);
    const key = sessionKey(ref("s1"));
    const progress = { since: T0, reminders: 2, lastAt: T0 + 60_000 };
    await store.commit([
      {
        kind: "event",
        event: pollFailingEvent(ref("s1")),
        sessionKey: key,
        deliverTo: [],
        silencedBy: "sil_1",
        alertProgress: { rule: "overdue", sessionKey: key, progress },
      },
    ]);
    // A fresh store on the same database (a restart) reads the progress its alert timers derive from.
    const next = createPostgresStore({ pool, schema: "authwatch", location: "test" });
    expect(await next.loadAlertProgress?.()).toEqual(new Map([[alertProgressKey("overdue", key), progress]]));
    const marked = await pool.query<{ silenced_by: string | null }>(
      "SELECT silenced_by FROM authwatch.events",
    );
    expect(marked.rows).toEqual([{ silenced_by: "sil_1" }]);
    await store.commit([
      {
        kind: "event",
        event: pollFailingEvent(ref("s1"), T0 + 120_000),
        sessionKey: key,
        deliverTo: [],
        alertProgress: { rule: "overdue", sessionKey: key, progress: null },
      },
    ]);
    expect(await next.loadAlertProgress?.()).toEqual(new Map());

    const tables = createPgAlertTables('"authwatch"');
    const silence = (id: string, endsAt: number) => ({
      id,
      match: { project: "proj" },
      startsAt: T0,
      endsAt,
      reason: "deploy",
      createdAt: T0,
    });
    await tables.addSilence(pool, silence("sil_late", T0 + 7_200_000));
    await tables.addSilence(pool, silence("sil_soon", T0 + 3_600_000));
    await tables.addSilence(pool, silence("sil_over", T0 + 1_000));
    expect((await next.currentSilences?.(T0 + 2_000))?.map((s) => s.id)).toEqual(["sil_soon", "sil_late"]);
    expect((await next.currentSilences?.(T0 + 2_000))?.[0]).toEqual(silence("sil_soon", T0 + 3_600_000));
  });
});
