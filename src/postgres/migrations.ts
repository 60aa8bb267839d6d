import { latestVersion, type Migration, type MigrationResult } from "../store/migrations.js";
import type { Queryable } from "./queryable.js";
import { quoteSchema } from "./schema-name.js";

/** One step of the PostgreSQL schema; `sql` receives the quoted schema name. */
export type PostgresMigration = Migration<(s: string) => string>;

/**
 * The PostgreSQL schema history, the same tables as the SQLite file plus the lease and a version on
 * each session row. Never edit a step that has shipped: add one.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: "lease, sessions, events, delivery outbox and sink state",
    sql: (s) => `
      -- One row per lease name. epoch is the fencing token: it grows each time another holder takes
      -- the lease, and every state-changing transaction checks it.
      CREATE TABLE ${s}.lease (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        epoch BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        acquired_at TIMESTAMPTZ NOT NULL
      );

      CREATE TABLE ${s}.sessions (
        session_key TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        project_name TEXT NOT NULL,
        auth_session_id TEXT NOT NULL,
        status TEXT NOT NULL,
        session_type TEXT,
        since BIGINT NOT NULL,
        -- Compare-and-set: a writer updates the row only at the version it read.
        version BIGINT NOT NULL DEFAULT 1
      );

      CREATE TABLE ${s}.events (
        seq BIGSERIAL PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        session_key TEXT,
        type TEXT NOT NULL,
        timestamp BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX events_by_session ON ${s}.events (session_key, seq);

      CREATE TABLE ${s}.deliveries (
        id BIGSERIAL PRIMARY KEY,
        event_seq BIGINT NOT NULL REFERENCES ${s}.events (seq) ON DELETE CASCADE,
        sink TEXT NOT NULL,
        session_key TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivered', 'dead', 'disabled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        retries INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_error TEXT,
        delivered_at BIGINT,
        UNIQUE (event_seq, sink)
      );
      CREATE INDEX deliveries_due ON ${s}.deliveries (sink, next_attempt_at, id) WHERE status = 'pending';
      CREATE INDEX deliveries_pending_lanes ON ${s}.deliveries (sink, session_key, id) WHERE status = 'pending';

      CREATE TABLE ${s}.sink_state (
        sink TEXT PRIMARY KEY,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        reason TEXT,
        fingerprint TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: "alert rule progress, silences, and events marked silenced (SQLite v4)",
    sql: (s) => `
      -- Every overdue timer derives from these rows and the session's since, never from memory.
      CREATE TABLE ${s}.alert_progress (
        rule TEXT NOT NULL,
        session_key TEXT NOT NULL,
        since BIGINT NOT NULL,
        reminders INTEGER NOT NULL,
        last_at BIGINT NOT NULL,
        PRIMARY KEY (rule, session_key)
      );

      CREATE TABLE ${s}.silences (
        id TEXT PRIMARY KEY,
        match TEXT NOT NULL,
        starts_at BIGINT NOT NULL,
        ends_at BIGINT NOT NULL,
        reason TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        removed_at BIGINT
      );

      ALTER TABLE ${s}.events ADD COLUMN silenced_by TEXT;
    `,
  },
  {
    version: 3,
    description: "what earlier attempts of a delivery achieved (SQLite v6)",
    sql: (s) => `
      ALTER TABLE ${s}.deliveries ADD COLUMN progress TEXT;
    `,
  },
];

export const POSTGRES_SCHEMA_VERSION = latestVersion(POSTGRES_MIGRATIONS);

/**
 * Brings `schema` up to date in ONE transaction that first takes a transaction-scoped advisory lock:
 * instances started at the same instant queue on the lock, and the second finds the work done.
 * (A session-level lock would leak across clients behind PgBouncer in transaction mode; an xact lock
 * lives exactly as long as the transaction.) `client` must be one connection, never a Pool, since the
 * statements share a transaction. Returns the versions before and after.
 */
export async function applyPostgresMigrations(
  client: Queryable,
  schema: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<MigrationResult> {
  const s = quoteSchema(schema);
  const latest = latestVersion(migrations);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`authwatch migrations ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version INTEGER NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`);
    const from = rows[0]?.version ?? 0;
    if (from > latest) {
      throw new Error(
        `schema "${schema}" is at version ${from}, newer than this authwatch knows (${latest}); upgrade authwatch`,
      );
    }
    for (const migration of migrations) {
      if (migration.version > from) await client.query(migration.sql(s));
    }
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.schema_version VALUES ($1)`, [latest]);
    else if (latest > from) await client.query(`UPDATE ${s}.schema_version SET version = $1`, [latest]);
    await client.query("COMMIT");
    return { from, to: Math.max(from, latest) };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
