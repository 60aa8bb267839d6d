import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { openStore } from "../../src/store/store.js";
import { startWatchProcess } from "../helpers/watch-process.js";
import { transitionEvent } from "./fixtures.js";

const UPPER = "ABCDEF01-E89B-12D3-A456-426614174000";
const LOWER = UPPER.toLowerCase();
const KEY = "sk-test-case-8181";

describe("workspace id case", () => {
  it("a state file keyed with an upper-case workspace id is found again by a lower-case watchlist: nothing re-announced", async () => {
    const api = await startFakeIntunedApi({ apiKeys: [KEY] });
    onTestFinished(() => api.close());
    api.setStatus({ workspaceId: LOWER, projectName: "proj", authSessionId: "case-1" }, "EXPIRED");
    const dir = mkdtempSync(join(tmpdir(), "authwatch-case-"));
    const statePath = join(dir, "state.db");
    // The state an older authwatch left, watching the session under the upper-case spelling.
    const old = { workspaceId: UPPER, projectName: "proj", authSessionId: "case-1" };
    const seed = openStore(statePath);
    seed.recordTransition(
      old,
      { status: "EXPIRED", sessionType: "CREDENTIALS", since: Date.now() - 60_000 },
      transitionEvent(old, "EXPIRED"),
      [],
    );
    seed.close();
    const raw = new Database(statePath);
    // Back to a version-4 file: later steps (v6 added deliveries.progress) must find it as they left it.
    raw.exec("ALTER TABLE deliveries DROP COLUMN progress");
    raw.pragma("user_version = 4");
    raw.close();

    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: LOWER, timeout: "1s" },
        defaults: { interval: "200ms" },
        sessions: [{ project: "proj", id: "case-1" }],
        sinks: [{ name: "log", type: "console" }],
        state: "./state.db",
      }),
    );
    const watch = startWatchProcess(
      ["-c", join(dir, "watchlist.json")],
      { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
      dir,
    );
    onTestFinished(() => {
      watch.child.kill("SIGKILL");
    });
    await watch.waitForLine((line) => line.msg === "authwatch is watching", 15_000);
    // Several polls later, still no first sighting ("→ EXPIRED") of a session already known.
    await expect
      .poll(
        () => api.requestsFor({ workspaceId: LOWER, projectName: "proj", authSessionId: "case-1" }).count,
        { timeout: 10_000 },
      )
      .toBeGreaterThanOrEqual(3);
    expect(watch.lines().filter((line) => line.event !== undefined)).toEqual([]);
  }, 40_000);
});
