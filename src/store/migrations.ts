import type { Database } from "better-sqlite3";

/**
 * One step of the schema. Steps are applied in order, each in its own transaction with its version.
 * `Sql` is the statement text, or (PostgreSQL) a function of the quoted schema name that gives it.
 */
export interface Migration<Sql = string> {
  version: number;
  description: string;
  sql: Sql;
}

/** The version a list of steps brings a schema to: its last step's (0 for none). */
export function latestVersion(migrations: readonly Pick<Migration, "version">[]): number {
  return migrations[migrations.length - 1]?.version ?? 0;
}

/**
 * The schema history. Never edit a step that has shipped: add a new one, because files written by an
 * older authwatch are upgraded by replaying the steps after their `PRAGMA user_version`.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "sessions, events and the delivery outbox",
    sql: `
      CREATE TABLE sessions (
        session_key TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        project_name TEXT NOT NULL,
        auth_session_id TEXT NOT NULL,
        status TEXT NOT NULL,
        session_type TEXT,
        since INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        session_key TEXT,
        type TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX events_by_session ON events (session_key, seq);

      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        event_seq INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
        sink TEXT NOT NULL,
        session_key TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivered', 'dead', 'disabled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_error TEXT,
        delivered_at INTEGER,
        UNIQUE (event_seq, sink)
      );
      -- Partial indexes stay as small as the outbox backlog, however long the history grows.
      -- (sink) also orders by id (the rowid): the due scan walks pending rows oldest first.
      CREATE INDEX deliveries_pending ON deliveries (sink) WHERE status = 'pending';
    `,
  },
  {
    version: 2,
    description: "disabled sinks (HTTP 410) and the persisted retry step",
    sql: `
      CREATE TABLE sink_state (
        sink TEXT PRIMARY KEY,
        disabled INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        fingerprint TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      ALTER TABLE deliveries ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;

      -- Per-(sink, session) lanes: finds the oldest pending row of a session with one seek, and
      -- covers next_attempt_at so the next wake-up time is read from the index alone.
      CREATE INDEX deliveries_pending_lanes
        ON deliveries (sink, session_key, id, next_attempt_at) WHERE status = 'pending';
    `,
  },
  {
    version: 3,
    description: "only lane heads are due: rows behind a head wait, so scans stay small",
    sql: `
      -- Due lane heads in due order: the due scan and the next wake-up read only these.
      CREATE INDEX deliveries_due ON deliveries (sink, next_attempt_at, id) WHERE status = 'pending';

      -- Rows already queued behind an older pending row of their lane wait for it (QUEUED_BEHIND_HEAD).
      UPDATE deliveries SET next_attempt_at = 9007199254740991
      WHERE status = 'pending' AND EXISTS (
        SELECT 1 FROM deliveries older
        WHERE older.sink = deliveries.sink AND older.status = 'pending'
          AND older.session_key IS deliveries.session_key AND older.id < deliveries.id);
    `,
  },
  {
    version: 4,
    description: "alert rule progress, silences, and events marked silenced",
    sql: `
      -- Every overdue timer derives from these rows and the session's since, never from memory.
      CREATE TABLE alert_progress (
        rule TEXT NOT NULL,
        session_key TEXT NOT NULL,
        since INTEGER NOT NULL,
        reminders INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (rule, session_key)
      ) WITHOUT ROWID;

      -- Written by "authwatch silence add" from another process; the daemon re-reads it every few seconds.
      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        match TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        removed_at INTEGER
      ) WITHOUT ROWID;

      ALTER TABLE events ADD COLUMN silenced_by TEXT;
    `,
  },
  {
    version: 5,
    description: "workspace ids in lower case in every session key",
    sql: `
      -- Keys start with the workspace UUID (36 characters). A watchlist that changed its case between
      -- restarts must find the same rows, not announce every session again as a first sighting.
      UPDATE OR REPLACE sessions SET workspace_id = lower(workspace_id), session_key = lower(substr(session_key, 1, 36)) || substr(session_key, 37)
        WHERE substr(session_key, 1, 36) <> lower(substr(session_key, 1, 36));
      UPDATE events SET session_key = lower(substr(session_key, 1, 36)) || substr(session_key, 37) WHERE session_key IS NOT NULL AND substr(session_key, 1, 36) <> lower(substr(session_key, 1, 36));
      UPDATE deliveries SET session_key = lower(substr(session_key, 1, 36)) || substr(session_key, 37) WHERE session_key IS NOT NULL AND substr(session_key, 1, 36) <> lower(substr(session_key, 1, 36));
      UPDATE OR REPLACE alert_progress SET session_key = lower(substr(session_key, 1, 36)) || substr(session_key, 37) WHERE substr(session_key, 1, 36) <> lower(substr(session_key, 1, 36));
    `,
  },
  {
    version: 6,
    description: "what earlier attempts of a delivery achieved",
    sql: `
      -- The sink's own note (the email sink: who took the mail), so a retry skips them, restart or not.
      ALTER TABLE deliveries ADD COLUMN progress TEXT;
    `,
  },
];

export const SCHEMA_VERSION = latestVersion(MIGRATIONS);

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings the file up to the newest version in `migrations`. Each step runs in a transaction together
 * with its `user_version` bump, so a step that fails leaves the file at the previous version.
 * Throws a plain Error for a file newer than this code knows; the caller adds the path.
 */
export function applyMigrations(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  const from = db.pragma("user_version", { simple: true }) as number;
  const latest = latestVersion(migrations);
  if (from > latest) {
    throw new Error(
      `schema version ${from} is newer than this authwatch knows (${latest}); upgrade authwatch`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, latest) };
}
