import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import { openStore } from "../../src/store/store.js";
import { captureIO } from "../helpers/capture-io.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-status-1234";
const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "my-project", authSessionId });

let api: FakeIntunedApi;
let dir: string;

beforeAll(async () => {
  api = await startFakeIntunedApi({
    apiKeys: [KEY],
    sessions: [
      { ...ref("ready-one"), timeline: [{ status: "READY" }] },
      { ...ref("pending-one"), type: "RECORDER", timeline: [{ status: "PENDING" }] },
      { ...ref("expired-one"), timeline: [{ status: "EXPIRED" }] },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), "authwatch-status-"));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "2s" },
      sessions: ["ready-one", "pending-one", "expired-one", "missing-one"].map((id) => ({
        project: "my-project",
        id,
      })),
    }),
  );
});

afterAll(async () => {
  await api.close();
});

const env = (key = KEY) => ({ INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: key });

describe("authwatch status", () => {
  it("reports READY, PENDING, EXPIRED and a 404 as NOT_FOUND, and exits 0 when every poll succeeded", async () => {
    const io = captureIO(env(), dir);
    const code = await runCli(["status", "--json"], io);
    expect(code).toBe(0);
    const { sessions } = JSON.parse(io.stdoutText()) as { sessions: Record<string, unknown>[] };
    expect(sessions.map((s) => [s.authSessionId, s.status, s.sessionType, s.error])).toEqual([
      ["ready-one", "READY", "CREDENTIALS", null],
      ["pending-one", "PENDING", "RECORDER", null],
      ["expired-one", "EXPIRED", "CREDENTIALS", null],
      ["missing-one", "NOT_FOUND", null, null],
    ]);
    expect(Object.keys(sessions[0] ?? {}).sort()).toEqual(
      ["authSessionId", "error", "projectName", "sessionType", "since", "status", "workspaceId"].sort(),
    );
  });

  it("takes since from the daemon's state file when it saw the same status", async () => {
    const since = Date.UTC(2026, 10, 22, 9, 12, 3);
    const store = openStore(join(dir, ".authwatch", "state.db"));
    store.recordTransition(
      ref("ready-one"),
      { status: "READY", sessionType: "CREDENTIALS", since },
      null,
      [],
    );
    store.recordTransition(ref("pending-one"), { status: "READY", sessionType: "RECORDER", since }, null, []);
    store.close();
    const io = captureIO(env(), dir);
    expect(await runCli(["status", "--json"], io)).toBe(0);
    const { sessions } = JSON.parse(io.stdoutText()) as { sessions: Record<string, unknown>[] };
    expect(sessions.find((s) => s.authSessionId === "ready-one")?.since).toBe("2026-11-22T09:12:03.000Z");
    // The daemon last saw READY, the API now says PENDING: that state's start is unknown.
    expect(sessions.find((s) => s.authSessionId === "pending-one")?.since).toBeNull();
  });

  it("prints a table with project, session, type, status and since", async () => {
    const io = captureIO(env(), dir);
    expect(await runCli(["status"], io)).toBe(0);
    const lines = io.stdoutText().trim().split("\n");
    expect(lines[0]).toMatch(/^PROJECT\s+SESSION\s+TYPE\s+STATUS\s+SINCE$/);
    expect(lines.find((line) => line.includes("pending-one"))).toMatch(
      /my-project\s+pending-one\s+RECORDER\s+PENDING/,
    );
  });

  it("exits 1 and reports the error in place of the status when a poll fails", async () => {
    const fault = api.injectFault({ kind: "status", status: 503, session: ref("expired-one") });
    try {
      const io = captureIO(env(), dir);
      const code = await runCli(["status", "--json"], io);
      expect(code).toBe(1);
      const { sessions } = JSON.parse(io.stdoutText()) as { sessions: Record<string, unknown>[] };
      const failed = sessions.find((s) => s.authSessionId === "expired-one");
      expect(failed).toMatchObject({ status: null, error: { code: "SERVER_ERROR" } });
      expect(sessions.filter((s) => s.error === null)).toHaveLength(3);
    } finally {
      fault.remove();
    }
  });

  it("gives one clear line for a wrong key, exits non-zero and never shows the key", async () => {
    const wrongKey = "sk-test-WRONG-KEY-9876";
    const io = captureIO(env(wrongKey), dir);
    const code = await runCli(["status"], io);
    expect(code).toBe(1);
    const errorLines = io.stderrText().trim().split("\n");
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(
      /^authwatch: 4 sessions failed \(my-project\/ready-one, my-project\/pending-one, my-project\/expired-one, and 1 more\): UNAUTHORIZED: API key refused/,
    );
    expect(io.stdoutText() + io.stderrText()).not.toContain(wrongKey);
  });

  it("polls without the sinks' secrets and URLs, which it never uses", async () => {
    const withSinks = mkdtempSync(join(tmpdir(), "authwatch-status-sinks-"));
    writeFileSync(
      join(withSinks, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WORKSPACE, timeout: "2s" },
        sessions: [{ project: "my-project", id: "ready-one" }],
        sinks: [
          { name: "oncall", type: "webhook", url: "https://hooks.example.com/a", secretEnv: "UNSET_SECRET" },
          { name: "chat", type: "webhook", format: "slack", urlEnv: "UNSET_SLACK_URL" },
        ],
      }),
    );
    const io = captureIO(env(), withSinks);
    expect(await runCli(["status", "--json"], io)).toBe(0);
    expect(io.stderrText()).not.toContain("sinks[");
    const { sessions } = JSON.parse(io.stdoutText()) as { sessions: Record<string, unknown>[] };
    expect(sessions.map((s) => s.status)).toEqual(["READY"]);
    // watch and check still demand them.
    const check = captureIO(env(), withSinks);
    expect(await runCli(["check"], check)).toBe(2);
    expect(check.stderrText()).toContain("sinks[0].secretEnv: environment variable UNSET_SECRET is not set");
    expect(check.stderrText()).toContain("sinks[1].urlEnv: environment variable UNSET_SLACK_URL is not set");
  });

  it("says since is unknown and names the state file it looked for when it is missing; --state finds the daemon's", async () => {
    const shell = mkdtempSync(join(tmpdir(), "authwatch-status-shell-"));
    writeFileSync(
      join(shell, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WORKSPACE },
        sessions: [{ project: "my-project", id: "ready-one" }],
      }),
    );
    const io = captureIO(env(), shell);
    expect(await runCli(["status"], io)).toBe(0);
    expect(io.stderrText()).toContain(
      `authwatch: since is unknown: no state file at ${join(shell, ".authwatch", "state.db")}: the daemon has not written one there.`,
    );
    expect(io.stderrText()).toContain("pass --state PATH or set AUTHWATCH_STATE");

    const store = openStore(join(shell, "daemon.db"));
    const since = Date.UTC(2026, 10, 22, 9, 12, 3);
    store.recordTransition(
      ref("ready-one"),
      { status: "READY", sessionType: "CREDENTIALS", since },
      null,
      [],
    );
    store.close();
    const pointed = captureIO(env(), shell);
    expect(await runCli(["status", "--json", "--state", "daemon.db"], pointed)).toBe(0);
    expect(pointed.stderrText()).toBe("");
    const { sessions } = JSON.parse(pointed.stdoutText()) as { sessions: Record<string, unknown>[] };
    expect(sessions[0]?.since).toBe("2026-11-22T09:12:03.000Z");
  });

  it("exits 2 naming the watchlist when there is none, and the variable when the key is not set", async () => {
    const empty = mkdtempSync(join(tmpdir(), "authwatch-status-empty-"));
    const noWatchlist = captureIO(env(), empty);
    expect(await runCli(["status"], noWatchlist)).toBe(2);
    expect(noWatchlist.stderrText()).toMatch(/watchlist\.json.*not found.*-c PATH/);
    const noKey = captureIO({ INTUNED_API_BASE_URL: api.url }, dir);
    expect(await runCli(["status"], noKey)).toBe(2);
    expect(noKey.stderrText()).toContain("INTUNED_API_KEY");
    expect(noKey.stdoutText()).toBe("");
  });
});

describe("authwatch check", () => {
  it("accepts a valid watchlist and names what it found", async () => {
    const io = captureIO(env(), dir);
    expect(await runCli(["check"], io)).toBe(0);
    expect(io.stdoutText()).toMatch(/is valid: 4 sessions, 0 sinks, 1 API key/);
  });

  it("exits 2 with one line per mistake, each naming its JSON path, and sends nothing", async () => {
    const bad = mkdtempSync(join(tmpdir(), "authwatch-check-"));
    writeFileSync(
      join(bad, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: "not-a-uuid" },
        sessions: [{ project: "p", id: "x", labelz: {} }],
      }),
    );
    const before = api.stats().requests;
    const io = captureIO(env(), bad);
    expect(await runCli(["check"], io)).toBe(2);
    const text = io.stderrText();
    expect(text).toContain("api.workspaceId");
    expect(text).toContain("sessions[0].id");
    expect(text).toContain("sessions[0].labelz");
    expect(text).not.toMatch(/\n\s+at /);
    expect(api.stats().requests).toBe(before);
  });

  it("exits 2 naming the variable when the key is not set", async () => {
    const io = captureIO({ INTUNED_API_BASE_URL: api.url }, dir);
    expect(await runCli(["check"], io)).toBe(2);
    expect(io.stderrText()).toContain("INTUNED_API_KEY");
  });

  it("--online proves a good key and rejects a refused one with exit 2", async () => {
    const good = captureIO(env(), dir);
    expect(await runCli(["check", "--online"], good)).toBe(0);
    expect(good.stdoutText()).toMatch(/env INTUNED_API_KEY: accepted/);

    const wrongKey = "sk-test-WRONG-KEY-5555";
    const refused = captureIO(env(wrongKey), dir);
    expect(await runCli(["check", "--online"], refused)).toBe(2);
    expect(refused.stderrText()).toMatch(/refused by the API/);
    expect(refused.stderrText()).not.toContain(wrongKey);
  });
});
