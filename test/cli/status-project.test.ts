import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import { captureIO } from "../helpers/capture-io.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-status-project-1";
const session = (projectName: string, authSessionId: string, status = "READY") => ({
  workspaceId: WORKSPACE,
  projectName,
  authSessionId,
  timeline: [{ status }],
});

let api: FakeIntunedApi;

beforeAll(async () => {
  api = await startFakeIntunedApi({
    apiKeys: [KEY],
    sessions: [
      session("logins", "user-2", "EXPIRED"),
      session("logins", "user-1"),
      session("logins", "user-test-1", "PENDING"),
      session("billing", "invoices-1"),
    ],
  });
});
afterAll(async () => {
  await api.close();
});

const env = { INTUNED_API_KEY: KEY, INTUNED_WORKSPACE_ID: WORKSPACE };
const rowsOf = (text: string) =>
  (JSON.parse(text) as { sessions: Array<Record<string, unknown>> }).sessions.map((s) => [
    s.projectName,
    s.authSessionId,
    s.status,
    (s.error as { code: string } | null)?.code ?? null,
  ]);

describe("authwatch status --project", () => {
  it("prints every session of each named project with one list request each, without a watchlist", async () => {
    const io = captureIO({ ...env, INTUNED_API_BASE_URL: api.url }, mkdtempSync(join(tmpdir(), "aw-")));
    const before = api.requestLog().length;
    const code = await runCli(["status", "--project", "logins", "--project", "billing", "--json"], io);
    expect(io.stderrText()).toBe("");
    expect(code).toBe(0);
    expect(rowsOf(io.stdoutText())).toEqual([
      ["logins", "user-1", "READY", null],
      ["logins", "user-2", "EXPIRED", null],
      ["logins", "user-test-1", "PENDING", null],
      ["billing", "invoices-1", "READY", null],
    ]);
    const requests = api.requestLog().slice(before);
    expect(requests.map((entry) => [entry.kind, entry.project?.projectName])).toEqual(
      expect.arrayContaining([
        ["list", "logins"],
        ["list", "billing"],
      ]),
    );
    expect(requests).toHaveLength(2);
  });

  it("shows a project whose list fails as one row with the error, and exits 1", async () => {
    const io = captureIO({ ...env, INTUNED_API_BASE_URL: api.url }, mkdtempSync(join(tmpdir(), "aw-")));
    const code = await runCli(["status", "--project", "nope", "--json"], io);
    expect(code).toBe(1);
    expect(rowsOf(io.stdoutText())).toEqual([["nope", "*", null, "NOT_FOUND"]]);
  });

  it("lists the watchlist's projects through their filters in a plain status", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aw-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WORKSPACE },
        sessions: [{ project: "billing", id: "invoices-1" }],
        projects: [{ project: "logins", exclude: ["user-test-*"] }],
      }),
    );
    const io = captureIO({ INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY }, dir);
    const code = await runCli(["status", "--json"], io);
    expect(code).toBe(0);
    expect(rowsOf(io.stdoutText())).toEqual([
      ["billing", "invoices-1", "READY", null],
      ["logins", "user-1", "READY", null],
      ["logins", "user-2", "EXPIRED", null],
    ]);
    const table = captureIO({ INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY }, dir);
    await runCli(["status", "--project", "logins"], table);
    expect(table.stdoutText()).toContain("user-test-1");
  });

  it("needs a workspace for --project, and says how to give one", async () => {
    const io = captureIO(
      { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
      mkdtempSync(join(tmpdir(), "aw-")),
    );
    expect(await runCli(["status", "--project", "logins"], io)).toBe(2);
    expect(io.stderrText()).toBe(
      "authwatch: --project logins needs a workspace: pass --workspace ID, or set INTUNED_WORKSPACE_ID\n",
    );
  });
});

describe("authwatch check with projects", () => {
  it("counts the projects and proves a key only a project uses with one list request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aw-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WORKSPACE },
        projects: [{ project: "logins", apiKeyEnv: "LOGINS_KEY" }],
      }),
    );
    const before = api.requestLog().length;
    const io = captureIO({ INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY, LOGINS_KEY: KEY }, dir);
    expect(await runCli(["check", "--online"], io)).toBe(0);
    expect(io.stdoutText()).toContain("is valid: 0 sessions, 1 project, 0 sinks, 1 API key");
    expect(io.stdoutText()).toContain("env LOGINS_KEY: accepted");
    expect(
      api
        .requestLog()
        .slice(before)
        .map((entry) => entry.kind),
    ).toEqual(["list"]);

    const refused = captureIO(
      { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY, LOGINS_KEY: "sk-wrong" },
      dir,
    );
    expect(await runCli(["check", "--online"], refused)).toBe(2);
    expect(refused.stderrText()).toContain("projects[0]");
  });
});
