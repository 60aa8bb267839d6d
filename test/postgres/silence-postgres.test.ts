import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { createPgAlertTables } from "../../src/postgres/pg-alert-tables.js";
import { captureIO } from "../helpers/capture-io.js";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";

noteWhenPostgresMissing("test/postgres/silence-postgres.test.ts");

describe.skipIf(!postgresAvailable)("silence against PostgreSQL state", () => {
  const cluster = usePostgresCluster();

  it("adds a silence the leader can read, lists it and removes it, with no watchlist and no daemon yet", async () => {
    const url = await cluster().createDatabase();
    const dir = mkdtempSync(join(tmpdir(), "authwatch-silence-pg-"));
    const env = { AUTHWATCH_STATE: url };

    const added = captureIO(env, dir);
    expect(
      await runCli(["silence", "add", "--project", "billing", "--for", "2h", "--reason", "rotation"], added),
    ).toBe(0);
    const id = added.stdoutText().trim();
    expect(id).toMatch(/^sil_[0-9a-f]{8}$/);

    // What the leader reads every few seconds: the row is in the database, not in a local file.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const current = await createPgAlertTables('"authwatch"').currentSilences(pool, Date.now());
      expect(current).toEqual([
        expect.objectContaining({ id, match: { project: "billing" }, reason: "rotation" }),
      ]);
    } finally {
      await pool.end();
    }

    const listed = captureIO(env, dir);
    expect(await runCli(["silence", "list", "--json"], listed)).toBe(0);
    expect(JSON.parse(listed.stdoutText()).silences).toEqual([
      expect.objectContaining({ id, reason: "rotation" }),
    ]);

    const removed = captureIO(env, dir);
    expect(await runCli(["silence", "remove", id], removed)).toBe(0);
    const again = captureIO(env, dir);
    expect(await runCli(["silence", "remove", id], again)).toBe(2);
    expect(again.stderrText()).toContain(`no silence "${id}" is in force`);

    const empty = captureIO(env, dir);
    expect(await runCli(["silence", "list", "--json"], empty)).toBe(0);
    expect(JSON.parse(empty.stdoutText()).silences).toEqual([]);
    // The URL's password never shows.
    expect(added.stderrText() + listed.stderrText() + removed.stderrText()).not.toContain("password");
  });
});
