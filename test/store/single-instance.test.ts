import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { createSilentLogger } from "../../src/logger.js";
import { claimInstance, OWNER_STALE_MS, StateInUseError } from "../../src/store/instance-owner.js";
import { createManualClock } from "../helpers/manual-clock.js";
import { runCliProcess } from "../helpers/run-cli-process.js";
import { startWatchProcess } from "../helpers/watch-process.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-single-6161";

describe("one watch per SQLite state file", () => {
  it("refuses a second watch naming the file and the holder, lets status and history read, and takes over from a SIGKILLed holder", async () => {
    const api = await startFakeIntunedApi({ apiKeys: [KEY] });
    onTestFinished(() => api.close());
    api.setStatus({ workspaceId: WORKSPACE, projectName: "proj", authSessionId: "solo-1" }, "READY");
    const dir = mkdtempSync(join(tmpdir(), "authwatch-single-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WORKSPACE, timeout: "1s" },
        defaults: { interval: "200ms" },
        sessions: [{ project: "proj", id: "solo-1" }],
        sinks: [{ name: "log", type: "console" }],
      }),
    );
    const env = { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY };
    const watch = () => startWatchProcess(["-c", join(dir, "watchlist.json")], env, dir);
    const first = watch();
    onTestFinished(() => {
      first.child.kill("SIGKILL");
    });
    await first.waitForLine((line) => line.msg === "authwatch is watching", 15_000);

    const second = watch();
    const refused = await second.exited;
    expect(refused.code).toBe(2);
    const statePath = join(dir, ".authwatch", "state.db");
    expect(second.stderr()).toContain(statePath);
    expect(second.stderr()).toContain(`pid ${first.child.pid} on host ${hostname()}`);
    // One line saying what is wrong and what to do, no stack trace.
    expect(
      second
        .stderr()
        .split("\n")
        .filter((line) => line.startsWith("authwatch:")),
    ).toHaveLength(1);
    expect(second.stderr()).not.toMatch(/\n\s+at /);

    // Readers are not writers: they still work beside the daemon.
    await first.waitForLine(
      (line) => (line.event as { type?: string } | undefined)?.type === "authsession.ready",
    );
    const history = await runCliProcess(["history", "-c", join(dir, "watchlist.json"), "--json"], {
      env,
      cwd: dir,
    });
    expect(history.code).toBe(0);
    expect(history.stdout).toContain("authsession.ready");
    const status = await runCliProcess(["status", "-c", join(dir, "watchlist.json"), "--json"], {
      env,
      cwd: dir,
    });
    expect(status.code).toBe(0);

    // A holder killed without a chance to let go does not block the restart.
    first.child.kill("SIGKILL");
    await first.exited;
    const third = watch();
    onTestFinished(() => {
      third.child.kill("SIGKILL");
    });
    await third.waitForLine((line) => line.msg === "authwatch is watching", 15_000);
    third.child.kill("SIGTERM");
    expect((await third.exited).code).toBe(0);
  }, 60_000);
});

describe("claimInstance across hosts sharing a volume", () => {
  it("refuses while another host's holder is fresh, and takes over once it has been silent too long", () => {
    const path = join(mkdtempSync(join(tmpdir(), "authwatch-owner-")), "state.db");
    const db = new Database(path);
    onTestFinished(() => {
      db.close();
    });
    const clock = createManualClock();
    const logger = createSilentLogger();
    const other = claimInstance(db, { path, clock, logger, pid: 4242, host: "node-a" });
    const claim = () => claimInstance(db, { path, clock, logger, pid: 7, host: "node-b" });
    expect(claim).toThrow(/pid 4242 on host node-a/);
    expect(claim).toThrow(StateInUseError);
    clock.stepWall(OWNER_STALE_MS + 1_000);
    expect(claim).not.toThrow();
    other.release();
  });
});
