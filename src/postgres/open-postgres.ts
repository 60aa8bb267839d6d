import pg from "pg";
import type { ResolvedPostgres } from "../config/types.js";
import type { Logger } from "../logger.js";
import { StoreError } from "../store/store-error.js";
import { scrubDatabaseUrl } from "./database-url.js";
import { applyPostgresMigrations } from "./migrations.js";

export interface PostgresPools {
  /** State reads and writes. */
  pool: pg.Pool;
  /** The lease alone, so a renewal never queues behind a slow write; its statements time out within the TTL. */
  leasePool: pg.Pool;
}

/** An error from the driver as a StoreError that names the database without its password. */
export function postgresFailure(settings: ResolvedPostgres, what: string, cause: unknown): StoreError {
  const detail = scrubDatabaseUrl(cause instanceof Error ? cause.message : String(cause), settings.url.value);
  return new StoreError(
    settings.location,
    `PostgreSQL ${settings.location}: ${what} (${detail}); check that the database is up and the URL in ${settings.url.source.replace(/^env /, "")} is right`,
  );
}

/**
 * Connects to the database and brings the schema up to date (safe when several instances start at
 * once). Pools never crash the process on a dropped idle connection (a database restart): the error
 * is logged and the next query reconnects.
 */
export async function openPostgres(settings: ResolvedPostgres, logger: Logger): Promise<PostgresPools> {
  const ttl = settings.leaseTtlMs;
  const pool = new pg.Pool({
    connectionString: settings.url.value,
    max: 4,
    connectionTimeoutMillis: Math.max(1_000, ttl),
    application_name: "authwatch",
  });
  const leasePool = new pg.Pool({
    connectionString: settings.url.value,
    max: 1,
    connectionTimeoutMillis: Math.max(250, Math.floor(ttl / 3)),
    query_timeout: Math.max(250, Math.floor(ttl / 3)),
    application_name: "authwatch-lease",
  });
  for (const each of [pool, leasePool]) {
    each.on("error", (error) => {
      logger.warn(
        { error: scrubDatabaseUrl(error.message, settings.url.value), state: settings.location },
        "a PostgreSQL connection dropped; the next query reconnects",
      );
    });
  }
  try {
    const client = await pool.connect();
    const ignore = () => undefined; // the migration's own query rejects; see postgres-store.ts
    client.on("error", ignore);
    try {
      const { from, to } = await applyPostgresMigrations(client, settings.schema);
      if (from !== to) logger.info({ state: settings.location, from, to }, "PostgreSQL schema migrated");
    } finally {
      client.off("error", ignore);
      client.release();
    }
  } catch (error) {
    await Promise.all([pool.end(), leasePool.end()]).catch(() => undefined);
    throw postgresFailure(settings, "cannot open the state", error);
  }
  return { pool, leasePool };
}
