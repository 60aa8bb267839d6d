import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";

noteWhenPostgresMissing("test/postgres/cluster.test.ts");

describe.skipIf(!postgresAvailable)("the throwaway PostgreSQL cluster", () => {
  const cluster = usePostgresCluster();

  it("gives each test its own empty database on loopback", async () => {
    const [a, b] = [await cluster().createDatabase(), await cluster().createDatabase()];
    expect(a).not.toBe(b);
    const client = new pg.Client({ connectionString: a });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version: string }>("SHOW server_version");
      expect(rows[0]?.server_version).toMatch(/^15\./);
    } finally {
      await client.end();
    }
  });

  it("survives a stop and a start on the same port with its data", async () => {
    const url = await cluster().createDatabase();
    const write = new pg.Client({ connectionString: url });
    await write.connect();
    await write.query("CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");
    await write.end();
    await cluster().stop();
    await cluster().start();
    const read = new pg.Client({ connectionString: url });
    await read.connect();
    try {
      expect((await read.query("SELECT n FROM kept")).rows).toEqual([{ n: 7 }]);
    } finally {
      await read.end();
    }
  });
});
