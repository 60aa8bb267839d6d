import pg from "pg";
import type { ResolvedPostgres } from "../config/types.js";
import type { StateStore } from "../store/state-store.js";
import { postgresFailure } from "./open-postgres.js";
import { createPostgresStore } from "./postgres-store.js";

/**
 * The PostgreSQL state for a command (history, status): one connection, no lease, no migration.
 * Runs `read` and closes; driver errors become one STORE_ERROR line without the password.
 */
export async function withPostgresState<T>(
  settings: ResolvedPostgres,
  read: (store: StateStore) => Promise<T>,
): Promise<T> {
  const pool = new pg.Pool({ connectionString: settings.url.value, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => undefined);
  const store = createPostgresStore({ pool, schema: settings.schema, location: settings.location });
  try {
    return await read(store);
  } catch (error) {
    throw postgresFailure(settings, "cannot read the state", error);
  } finally {
    await pool.end();
  }
}
