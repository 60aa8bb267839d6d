import pg from "pg";
import type { Silence } from "../alerts/silence.js";
import type { ResolvedPostgres } from "../config/types.js";
import { applyPostgresMigrations } from "./migrations.js";
import { postgresFailure } from "./open-postgres.js";
import { createPgAlertTables } from "./pg-alert-tables.js";
import { quoteSchema } from "./schema-name.js";

export interface SilenceTable {
  add(silence: Silence): Promise<void>;
  remove(id: string, now: number): Promise<boolean>;
  current(now: number): Promise<Silence[]>;
}

/**
 * `silence add|list|remove` against PostgreSQL state, from any shell: the leader re-reads the
 * silences table every few seconds. One connection, no lease (a silence is not a state change the
 * fencing token guards). The schema is brought up to date first, as a daemon's start would, so a
 * silence can be added before the first `watch`. Driver errors become one line without the password.
 */
export async function withPostgresSilences<T>(
  settings: ResolvedPostgres,
  work: (silences: SilenceTable) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: settings.url.value, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  const tables = createPgAlertTables(quoteSchema(settings.schema));
  try {
    await client.connect();
    await applyPostgresMigrations(client, settings.schema);
    return await work({
      add: (silence) => tables.addSilence(client, silence),
      remove: (id, now) => tables.removeSilence(client, id, now),
      current: (now) => tables.currentSilences(client, now),
    });
  } catch (error) {
    throw postgresFailure(settings, "cannot read or write silences", error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
