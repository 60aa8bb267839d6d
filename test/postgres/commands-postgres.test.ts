import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { acquireLease } from "../../src/postgres/lease.js";
import { createPgAlertTables } from "../../src/postgres/pg-alert-tables.js";
import { createPostgresStore } from "../../src/postgres/postgres-store.js";
import { captureIO } from "../helpers/capture-io.js";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";
import { ref, state, T0, transitionEvent } from "../store/fixtures.js";
import { migratedPool } from "./fixtures.js";

noteWhenPostgresMissing("test/postgres/commands-postgres.test.ts");

describe.skipIf(!postgresAvailable)("commands against PostgreSQL state", () => {
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

  it("status reads since from the shared database, as the leader stored it", async () => {
    const pool = await migratedPool(cluster());
    const grant = await acquireLease(pool, "authwatch", "leader", 60_000);
    const store = createPostgresStore({ pool, schema: "authwatch", location: "test", epoch: grant!.epoch });
    const session = ref("since-1");
    await store.loadSessions();
    await store.commit([
      {
        kind: "transition",
        ref: session,
        state: state("READY", T0),
        event: transitionEvent(session, "READY", { at: T0 }),
        deliverTo: [],
      },
    ]);
    const url = (pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const api = await startFakeIntunedApi({ apiKeys: ["sk-status-pg-1"] });
    onTestFinished(() => api.close());
    api.setStatus(session, "READY");
    const dir = mkdtempSync(join(tmpdir(), "authwatch-status-pg-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: session.workspaceId },
        sessions: [{ project: session.projectName, id: session.authSessionId }],
        state: { postgres: { urlEnv: "DB_URL" } },
      }),
    );
    const io = captureIO(
      { DB_URL: url, INTUNED_API_KEY: "sk-status-pg-1", INTUNED_API_BASE_URL: api.url },
      dir,
    );
    expect(await runCli(["status", "--json"], io)).toBe(0);
    expect(JSON.parse(io.stdoutText()).sessions).toEqual([
      expect.objectContaining({
        authSessionId: "since-1",
        status: "READY",
        since: new Date(T0).toISOString(),
      }),
    ]);
    expect(io.stderrText()).not.toContain("since is unknown");
  });
});
