import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, MIGRATIONS, SCHEMA_VERSION } from "../../src/store/migrations.js";
import { openStore } from "../../src/store/store.js";
import { sessionKey } from "../../src/types.js";
import { ref, T0, tempDir, transitionEvent } from "./fixtures.js";

describe("schema migrations", () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  /** A state file as authwatch with schema v1 left it: a session, its event and a pending delivery. */
  function writeV1File(path: string): string {
    const db = new Database(path);
    applyMigrations(db, MIGRATIONS.slice(0, 1));
    const session = ref("sess-a");
    const event = transitionEvent(session, "READY", { at: T0 });
    db.prepare(
      `INSERT INTO sessions (session_key, workspace_id, project_name, auth_session_id, status, session_type, since)
       VALUES (?, ?, ?, ?, 'READY', 'CREDENTIALS', ?)`,
    ).run(sessionKey(session), session.workspaceId, session.projectName, session.authSessionId, T0);
    db.prepare(
      "INSERT INTO events (seq, event_id, session_key, type, timestamp, body) VALUES (1, ?, ?, ?, ?, ?)",
    ).run(event.data.eventId, sessionKey(session), event.type, T0, JSON.stringify(event));
    db.prepare(
      `INSERT INTO deliveries (event_seq, sink, session_key, next_attempt_at, created_at, updated_at, attempts)
       VALUES (1, 'hook', ?, ?, ?, ?, 2)`,
    ).run(sessionKey(session), T0, T0, T0);
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    db.close();
    return event.data.eventId;
  }

  it("has ordered, increasing versions", () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(versions.length);
  });

  it("upgrading to v3 queues the rows behind each lane's head, which are promoted in order", () => {
    const path = temp.file();
    const db = new Database(path);
    applyMigrations(db, MIGRATIONS.slice(0, 2));
    const session = ref("sess-b");
    const events = ["PENDING", "READY"].map((status, i) => transitionEvent(session, status, { at: T0 + i }));
    events.forEach((event, i) => {
      db.prepare(
        "INSERT INTO events (seq, event_id, session_key, type, timestamp, body) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(i + 1, event.data.eventId, sessionKey(session), event.type, T0 + i, JSON.stringify(event));
      db.prepare(
        `INSERT INTO deliveries (event_seq, sink, session_key, next_attempt_at, created_at, updated_at)
         VALUES (?, 'hook', ?, ?, ?, ?)`,
      ).run(i + 1, sessionKey(session), T0 + i, T0 + i, T0 + i);
    });
    db.close();

    const store = openStore(path);
    try {
      expect(store.nextDueAt("hook")).toBe(T0);
      const [head] = store.dueDeliveries("hook", T0 + 10, 10);
      expect(head?.eventId).toBe(events[0]!.data.eventId);
      store.markDead(head!.id, { code: "HTTP_400", message: "bad" }, T0 + 20);
      const [next] = store.dueDeliveries("hook", T0 + 20, 10);
      expect(next?.eventId).toBe(events[1]!.data.eventId);
      expect(store.nextDueAt("hook")).toBe(T0 + 20);
    } finally {
      store.close();
    }
  });

  it("upgrades a v1 file to the current schema and keeps its data", () => {
    const path = temp.file();
    const eventId = writeV1File(path);

    const store = openStore(path);
    try {
      expect(store.loadSessions().get(sessionKey(ref("sess-a")))?.status).toBe("READY");
      const [row] = store.dueDeliveries("hook", T0, 10);
      expect(row).toMatchObject({ eventId, attempts: 2, retries: 0 });
      store.disableSink("hook", "fp", "gone");
      expect(store.isSinkDisabled("hook", "fp")).toBe(true);
    } finally {
      store.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("leaves the file at the previous version when a step fails", () => {
    const db = new Database(temp.file());
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      { version: 2, description: "broken", sql: "CREATE TABLE x (a); NOT SQL" },
    ];
    expect(() => applyMigrations(db, broken)).toThrow();
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").get()).toBeUndefined();
    db.close();
  });

  it("refuses a file written by a newer authwatch with STORE_ERROR", () => {
    const path = temp.file();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStore(path)).toThrow(
      expect.objectContaining({
        code: "STORE_ERROR",
        message: expect.stringMatching(/newer.*upgrade authwatch/),
      }),
    );
  });
});
