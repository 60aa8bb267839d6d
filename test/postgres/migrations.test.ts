import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { applyPostgresMigrations, POSTGRES_SCHEMA_VERSION } from "../../src/postgres/migrations.js";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";

noteWhenPostgresMissing("test/postgres/migrations.test.ts");

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

describe.skipIf(!postgresAvailable)("PostgreSQL migrations", () => {
  const cluster = usePostgresCluster();

  it("create the schema and its tables, and a second run changes nothing", async () => {
    const client = await connect(await cluster().createDatabase());
    expect(await applyPostgresMigrations(client, "authwatch")).toEqual({
      from: 0,
      to: POSTGRES_SCHEMA_VERSION,
    });
    expect(await applyPostgresMigrations(client, "authwatch")).toEqual({
      from: POSTGRES_SCHEMA_VERSION,
      to: POSTGRES_SCHEMA_VERSION,
    });
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'authwatch' ORDER BY 1",
    );
    expect(rows.map((row) => row.table_name)).toEqual([
      "alert_progress",
      "deliveries",
      "events",
      "lease",
      "schema_version",
      "sessions",
      "silences",
      "sink_state",
    ]);
  });

  it("are safe when eight instances start at the same instant on an empty database", async () => {
    const url = await cluster().createDatabase();
    const clients = await Promise.all(Array.from({ length: 8 }, () => connect(url)));
    const results = await Promise.all(clients.map((client) => applyPostgresMigrations(client, "authwatch")));
    // Exactly one instance migrated; the others waited on the lock and found the work done.
    expect(results.filter((result) => result.from === 0)).toHaveLength(1);
    expect(results.every((result) => result.to === POSTGRES_SCHEMA_VERSION)).toBe(true);
    const version = await clients[0]!.query("SELECT version FROM authwatch.schema_version");
    expect(version.rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
  });

  it("keep two schemas in one database apart", async () => {
    const client = await connect(await cluster().createDatabase());
    await applyPostgresMigrations(client, "team_a");
    await applyPostgresMigrations(client, "team_b");
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'lease'",
    );
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it("refuse a schema newer than this code and leave it untouched", async () => {
    const client = await connect(await cluster().createDatabase());
    await applyPostgresMigrations(client, "authwatch");
    await client.query("UPDATE authwatch.schema_version SET version = 99");
    await expect(applyPostgresMigrations(client, "authwatch")).rejects.toThrow(
      /version 99, newer .* upgrade authwatch/,
    );
    expect((await client.query("SELECT version FROM authwatch.schema_version")).rows).toEqual([
      { version: 99 },
    ]);
  });
});
