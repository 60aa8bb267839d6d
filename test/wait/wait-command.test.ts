import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { WaitJson } from "../../src/cli/wait/summary.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { SessionRef } from "../../src/types.js";
import type { WaitResult } from "../../src/wait/types.js";
import { WaitError } from "../../src/wait/wait-error.js";
import { waitForSession } from "../../src/wait/wait-for-sessions.js";
import { type CapturedIO, captureIO, KEY, sessionRef, WORKSPACE } from "./fixtures.js";

const OTHER_WORKSPACE = "0f8fad5b-d9cb-469f-a165-70867728950e";
const BILLING_KEY = "sk-billing-key";

let api: FakeIntunedApi;
let emptyDir: string;
let watchlistDir: string;

beforeAll(async () => {
  api = await startFakeIntunedApi({ apiKeys: [KEY, BILLING_KEY] });
  emptyDir = mkdtempSync(join(tmpdir(), "authwatch-wait-"));
  watchlistDir = mkdtempSync(join(tmpdir(), "authwatch-wait-watchlist-"));
  writeFileSync(
    join(watchlistDir, "watchlist.json"),
    JSON.stringify({
      sessions: [
        { project: "billing", id: "billing-login", workspaceId: OTHER_WORKSPACE, apiKeyEnv: "BILLING_KEY" },
      ],
    }),
  );
});

afterAll(async () => {
  await api.close();
  rmSync(emptyDir, { recursive: true, force: true });
  rmSync(watchlistDir, { recursive: true, force: true });
});

interface CliRun {
  code: number;
  io: CapturedIO;
  stdout: string;
  stderr: string;
  ms: number;
}

interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  tty?: boolean;
  /** Runs once the command is under way, with its io (to raise signals). */
  during?: (io: CapturedIO) => Promise<void>;
}

async function cli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const env = {
    INTUNED_API_BASE_URL: api.url,
    INTUNED_WORKSPACE_ID: WORKSPACE,
    INTUNED_API_KEY: KEY,
    ...options.env,
  };
  const io = captureIO(env, options.cwd ?? emptyDir, options.tty ?? false);
  const start = performance.now();
  const running = runCli(["wait", ...args], io);
  await options.during?.(io);
  const code = await running;
  return { code, io, stdout: io.stdoutText(), stderr: io.stderrText(), ms: performance.now() - start };
}

const nameOf = (ref: SessionRef) => `${ref.projectName}/${ref.authSessionId}`;
const requestCount = (ref: SessionRef) => api.requestsFor(ref).count;

interface Scenario {
  result: WaitResult;
  exitCode: number;
  setup: (ref: SessionRef) => void;
  key?: string;
  timeout?: string;
}

const SCENARIOS: Scenario[] = [
  { result: "reached", exitCode: 0, setup: (ref) => api.setStatus(ref, "READY") },
  { result: "timeout", exitCode: 1, setup: (ref) => api.setStatus(ref, "PENDING"), timeout: "1500ms" },
  { result: "ended_early", exitCode: 3, setup: (ref) => api.setStatus(ref, "EXPIRED") },
  { result: "unauthorized", exitCode: 4, setup: (ref) => api.setStatus(ref, "READY"), key: "sk-revoked" },
  {
    result: "api_failing",
    exitCode: 5,
    setup: (ref) => {
      api.setStatus(ref, "READY");
      api.injectFault({ kind: "status", status: 503, session: ref });
    },
    timeout: "1500ms",
  },
];

describe.concurrent("authwatch wait", () => {
  it.each(SCENARIOS)(
    "exits $exitCode for $result, as the library call rejects or resolves for the same scenario",
    async ({ result, exitCode, setup, key, timeout = "5s" }) => {
      const ref = sessionRef(`scenario-${result}`);
      setup(ref);
      const timeoutMs = Number.parseInt(timeout, 10) * (timeout.endsWith("ms") ? 1 : 1_000);
      const [run, library] = await Promise.all([
        cli([nameOf(ref), "--json", "--interval", "1s", "--timeout", timeout], {
          env: { INTUNED_API_KEY: key ?? KEY },
        }),
        waitForSession({
          sessions: ref,
          apiKey: key ?? KEY,
          baseUrl: api.url,
          intervalMs: 1_000,
          timeoutMs,
        }).then(
          (report) => ({ result: "reached" as WaitResult, exitCode: 0, sessions: report.sessions }),
          (error: unknown) => {
            if (!(error instanceof WaitError)) throw error;
            return {
              result: error.reason as WaitResult,
              exitCode: error.exitCode,
              sessions: error.report.sessions,
            };
          },
        ),
      ]);
      const json = JSON.parse(run.stdout) as WaitJson;
      expect(run.code).toBe(exitCode);
      expect(json).toMatchObject({ result, exitCode });
      expect(library).toMatchObject({ result, exitCode });
      const essentials = (session: {
        status: string | null;
        reached: boolean;
        lastError: { code: string } | null;
      }) => ({
        status: session.status,
        reached: session.reached,
        lastError: session.lastError?.code ?? null,
      });
      expect(json.sessions.map(essentials)).toEqual(library.sessions.map(essentials));
      if (exitCode !== 0) expect(run.stderr).toMatch(/^authwatch: .+$/m);
    },
  );

  it("prints one JSON object with the result, the timing and every session's last state", async () => {
    const ready = sessionRef("json-ready");
    const pending = sessionRef("json-pending", "billing");
    api.setStatus(ready, "READY", "RUNTIME");
    api.setStatus(pending, "PENDING");
    const run = await cli([
      nameOf(ready),
      nameOf(pending),
      "--json",
      "--timeout",
      "1500ms",
      "--interval",
      "1s",
    ]);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as WaitJson;
    expect(Object.keys(json).sort()).toEqual([
      "elapsedMs",
      "error",
      "exitCode",
      "for",
      "result",
      "sessions",
      "timeoutMs",
    ]);
    expect(json).toMatchObject({
      result: "timeout",
      exitCode: 1,
      for: "READY",
      timeoutMs: 1_500,
      error: { code: "WAIT_TIMEOUT", message: expect.stringContaining("billing/json-pending (PENDING") },
    });
    expect(json.elapsedMs).toBeGreaterThanOrEqual(1_500);
    expect(json.elapsedMs).toBeLessThan(1_800);
    expect(json.sessions).toEqual([
      {
        workspaceId: WORKSPACE,
        projectName: "my-project",
        authSessionId: "json-ready",
        status: "READY",
        sessionType: "RUNTIME",
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        reached: true,
        lastError: null,
        polls: expect.any(Number),
      },
      {
        workspaceId: WORKSPACE,
        projectName: "billing",
        authSessionId: "json-pending",
        status: "PENDING",
        sessionType: "CREDENTIALS",
        since: expect.any(String),
        reached: false,
        lastError: null,
        polls: 2,
      },
    ]);
  });

  it("says on success what it saw, with a plain line per change when stderr is no TTY", async () => {
    const ref = sessionRef("plain-progress");
    api.setStatus(ref, "READY");
    const run = await cli([nameOf(ref)]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^\[\+0\.\ds\] my-project\/plain-progress: READY \(READY reached\)\n$/);
    expect(run.stdout).toMatch(
      /^my-project\/plain-progress: READY after \d+ms\n {2}✓ my-project\/plain-progress: READY \(first seen /,
    );
    expect(run.stdout).toMatch(/\(first seen \d{4}-.*Z\), CREDENTIALS, 1 poll\n$/);
  });

  it("names the session, its last status and since when on a timeout", async () => {
    const ref = sessionRef("human-timeout");
    api.setStatus(ref, "PENDING");
    // 1.5 s: the second poll (at 0.9 to 1 s, jitter only shortens) is well clear of the deadline.
    const run = await cli([nameOf(ref), "--timeout", "1500ms", "--interval", "1s"]);
    expect(run.code).toBe(1);
    const [headline, detail] = run.stderr.split("\n").filter((line) => !line.startsWith("["));
    expect(headline).toMatch(
      /^authwatch: timed out after 1s waiting for READY: my-project\/human-timeout \(PENDING[,)]/,
    );
    expect(detail).toMatch(
      /^ {2}✗ my-project\/human-timeout: PENDING.* \(first seen \d{4}-.*Z\), CREDENTIALS, 2 polls$/,
    );
  });

  it("names the last error when it times out while the API fails", async () => {
    const ref = sessionRef("human-failing");
    api.setStatus(ref, "READY");
    api.injectFault({ kind: "status", status: 500, session: ref });
    const run = await cli([nameOf(ref), "--timeout", "1s", "--interval", "1s"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(
      "authwatch: timed out after 1s waiting for READY while the API was failing: my-project/human-failing (no answer yet, last poll failed: SERVER_ERROR server error: HTTP 500",
    );
  });

  it("redraws its lines in place on a TTY", async () => {
    const ref = sessionRef("tty-progress");
    api.setTimeline(ref, [{ status: "PENDING", forMs: 500 }, { status: "READY" }]);
    const run = await cli([nameOf(ref), "--interval", "1s"], { tty: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("\r\u001b[2K\u2026 my-project/tty-progress  PENDING -> READY");
    expect(run.stderr).toContain("\u001b[1A\r\u001b[2K\u2713 my-project/tty-progress  READY");
  });

  it("prints only the error line with --quiet", async () => {
    const ready = sessionRef("quiet-ready");
    const expired = sessionRef("quiet-expired");
    api.setStatus(ready, "READY");
    api.setStatus(expired, "EXPIRED");
    const ok = await cli([nameOf(ready), "--quiet"]);
    expect([ok.code, ok.stdout, ok.stderr]).toEqual([0, "", ""]);
    const ended = await cli([nameOf(expired), "--quiet"]);
    expect(ended.code).toBe(3);
    expect(ended.stdout).toBe("");
    // One line, and nothing else: no progress, no per-session detail.
    expect(ended.stderr).toMatch(
      /^authwatch: my-project\/quiet-expired \(EXPIRED\) cannot become READY without someone acting; pass --no-fail-fast to keep waiting anyway\n$/,
    );
  });

  it("keeps waiting through EXPIRED with --no-fail-fast", async () => {
    const ref = sessionRef("no-fail-fast");
    api.setStatus(ref, "EXPIRED");
    const run = await cli([
      nameOf(ref),
      "--no-fail-fast",
      "--timeout",
      "1500ms",
      "--interval",
      "1s",
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      result: "timeout",
      sessions: [{ status: "EXPIRED", polls: 2 }],
    });
  });

  it.each([
    { signal: "SIGTERM", code: 143 },
    { signal: "SIGINT", code: 130 },
  ] as const)(
    "stops at once on $signal with exit code $code and says what it last saw",
    async ({ signal, code }) => {
      const ref = sessionRef(`signal-${signal.toLowerCase()}`);
      api.setStatus(ref, "PENDING");
      let raisedAt = 0;
      const run = await cli([nameOf(ref), "--timeout", "30s", "--interval", "1s"], {
        during: async (io) => {
          await api.waitForRequest((entry) => entry.ref?.authSessionId === ref.authSessionId);
          // Let the first answer reach the command before the signal.
          await new Promise((resolve) => setTimeout(resolve, 50));
          raisedAt = performance.now();
          io.raise(signal);
        },
      });
      expect(run.code).toBe(code);
      expect(performance.now() - raisedAt).toBeLessThan(200);
      expect(run.stderr).toMatch(
        new RegExp(
          `authwatch: interrupted by ${signal} after \\d+ms waiting for READY: my-project/${ref.authSessionId} \\(PENDING\\)`,
        ),
      );
      expect(run.io.handlerCount()).toBe(0);
    },
  );

  it("uses the key and workspace of a session the watchlist lists", async () => {
    const ref = { workspaceId: OTHER_WORKSPACE, projectName: "billing", authSessionId: "billing-login" };
    api.setStatus(ref, "READY");
    // The default key is refused: only the session's own BILLING_KEY can succeed.
    const run = await cli([nameOf(ref), "--json"], {
      cwd: watchlistDir,
      env: { INTUNED_API_KEY: "sk-revoked", BILLING_KEY },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      sessions: [{ workspaceId: OTHER_WORKSPACE, status: "READY" }],
    });
  });

  it.each([
    { args: ["foo"], message: /"foo" has no "\/"/ },
    { args: ["a/b/c"], message: /"a\/b\/c" has more than one "\/"/ },
    { args: ["my-project/x!"], message: /session id "x!"/ },
    {
      args: ["my-project/usage-ok", "--for", "SUSPENDED"],
      message: /--for "SUSPENDED" is not a status to wait for/,
    },
    {
      args: ["my-project/usage-ok", "--interval", "500ms"],
      message: /--interval "500ms" is below the minimum of 1s/,
    },
    { args: ["my-project/usage-ok", "--timeout", "soon"], message: /--timeout "soon" is not a duration/ },
    {
      args: ["my-project/usage-ok", "--timeout", "600"],
      message: /--timeout "600" needs a unit: "600s" for seconds, or "600ms" for milliseconds/,
    },
    { args: ["my-project/usage-ok", "--interval", "30s1m"], message: /--interval "30s1m" is not a duration/ },
    { args: ["my-project/usage-ok", "--workspace", "ws-1"], message: /--workspace "ws-1" must be a UUID/ },
  ])("exits 2 without a request for $args", async ({ args, message }) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split("\n")).toHaveLength(2);
    expect(requestCount(sessionRef("usage-ok"))).toBe(0);
  });

  it("exits 2 naming the variable to set when there is no API key", async () => {
    const run = await cli(["my-project/no-key"], { env: { INTUNED_API_KEY: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /no API key for my-project\/no-key: environment variable INTUNED_API_KEY is not set/,
    );
    const listed = await cli(["billing/billing-login"], {
      cwd: watchlistDir,
      env: { BILLING_KEY: undefined },
    });
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/sessions\[0\]\.apiKeyEnv: environment variable BILLING_KEY is not set/);
  });

  it("takes compound durations such as 1m30s, and says in --help that a flag's duration needs a unit", async () => {
    const ref = sessionRef("compound-duration");
    api.setStatus(ref, "READY");
    const run = await cli([nameOf(ref), "--timeout", "1m30s", "--interval", "1m5s", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ timeoutMs: 90_000 });
    const help = await cli(["--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("a duration with a unit: 500ms, 90s, 1m30s");
  });

  it("lets --workspace win over a bad INTUNED_WORKSPACE_ID", async () => {
    const ref = sessionRef("flag-beats-env");
    api.setStatus(ref, "READY");
    const run = await cli([nameOf(ref), "--workspace", WORKSPACE, "--timeout", "0"], {
      env: { INTUNED_WORKSPACE_ID: "not-a-uuid" },
    });
    expect(run.stderr).not.toContain("INTUNED_WORKSPACE_ID");
    expect(run.code).toBe(0);
  });

  it("exits 2 when no workspace is given anywhere", async () => {
    const run = await cli(["my-project/no-workspace"], { env: { INTUNED_WORKSPACE_ID: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /no workspace for my-project\/no-workspace: pass --workspace ID or set INTUNED_WORKSPACE_ID/,
    );
  });
});
