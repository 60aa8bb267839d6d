import pg from "pg";
import { onTestFinished } from "vitest";
import { applyPostgresMigrations } from "../../src/postgres/migrations.js";
import type { PostgresCluster } from "../helpers/postgres-cluster.js";

/** A pool on a fresh database of `cluster` with the authwatch schema in place; closed after the test. */
export async function migratedPool(cluster: PostgresCluster, schema = "authwatch"): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: await cluster.createDatabase(), max: 4 });
  onTestFinished(() => pool.end());
  const client = await pool.connect();
  await applyPostgresMigrations(client, schema).finally(() => client.release());
  return pool;
}
