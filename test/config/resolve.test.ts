import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { type ResolveOptions, resolveConfig } from "../../src/config/resolve.js";
import type { ResolvedConfig, WebhookSinkConfig } from "../../src/config/types.js";
import { configError } from "../helpers/config-error.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";
const WS_ENV = "9b2f3c4d-1111-4222-8333-444455556666";
const KEY = "key-from-env-0001";
const WHSEC = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "authwatch-resolve-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Parses then resolves, as loadWatchlist does, with the watchlist in the temp folder. */
function resolveJson(json: unknown, options: Partial<ResolveOptions> = {}): ResolvedConfig {
  const parsed = parseWatchlist(json);
  if (!parsed.ok) throw new Error(`test watchlist is invalid: ${JSON.stringify(parsed.issues)}`);
  return resolveConfig(parsed.value, {
    path: join(dir, "watchlist.json"),
    env: { INTUNED_API_KEY: KEY },
    requireSecrets: true,
    cwd: "/elsewhere",
    ...options,
  });
}

const session = (id: string, extra: Record<string, unknown> = {}) => ({ project: "p", id, ...extra });

describe("resolveConfig defaults and precedence", () => {
  it("applies every built-in default to a minimal watchlist", () => {
    const config = resolveJson({
      api: { workspaceId: WS },
      sessions: [session("abc")],
      sinks: [{ name: "log", type: "console" }],
    });
    expect(config.path).toBe(join(dir, "watchlist.json"));
    expect(config.api).toEqual({
      baseUrl: "https://app.intuned.io/api/v1/workspace",
      timeoutMs: 10_000,
      concurrency: 8,
      maxRequestsPerSecond: 10,
    });
    expect(config.workspaceId).toBe(WS);
    expect(config.apiKey).toEqual({ source: "env INTUNED_API_KEY", value: KEY });
    expect(config.statePath).toBe(join(dir, ".authwatch/state.db"));
    expect(config.sessions).toEqual([
      {
        workspaceId: WS,
        projectName: "p",
        authSessionId: "abc",
        key: `${WS}/p/abc`,
        labels: {},
        apiKey: { source: "env INTUNED_API_KEY", value: KEY },
        intervals: { PENDING: 10_000, READY: 60_000, EXPIRED: 300_000, NOT_FOUND: 300_000, default: 60_000 },
        jitter: 0.1,
        failureThreshold: 3,
        schedule: undefined,
      },
    ]);
    expect(config.sinks).toEqual([
      { name: "log", type: "console", events: undefined, match: undefined, retryWindowMs: 86_400_000 },
    ]);
  });

  it("lets the environment override the watchlist, and the watchlist override the built-ins", () => {
    const json = {
      api: {
        baseUrl: "https://watchlist.example/api/",
        workspaceId: WS,
        timeout: "3s",
        concurrency: 2,
        maxRequestsPerSecond: 0.5,
      },
      sessions: [session("abc"), session("own", { workspaceId: WS })],
      state: "data/state.db",
    };
    const fromWatchlist = resolveJson(json);
    expect(fromWatchlist.api).toEqual({
      baseUrl: "https://watchlist.example/api",
      timeoutMs: 3_000,
      concurrency: 2,
      maxRequestsPerSecond: 0.5,
    });
    expect(fromWatchlist.statePath).toBe(join(dir, "data/state.db"));

    const fromEnv = resolveJson(json, {
      env: {
        INTUNED_API_KEY: KEY,
        INTUNED_API_BASE_URL: "http://127.0.0.1:9/v1",
        INTUNED_WORKSPACE_ID: WS_ENV,
        AUTHWATCH_STATE: "env-state.db",
        STATE_DIRECTORY: "/var/lib/authwatch",
      },
    });
    expect(fromEnv.api.baseUrl).toBe("http://127.0.0.1:9/v1");
    expect(fromEnv.workspaceId).toBe(WS_ENV);
    // The environment replaces the default workspace, not one a session names itself.
    expect(fromEnv.sessions.map((s) => s.workspaceId)).toEqual([WS_ENV, WS]);
    // AUTHWATCH_STATE is not in the watchlist, so it is relative to the cwd.
    expect(fromEnv.statePath).toBe("/elsewhere/env-state.db");
  });

  it("puts the state in $STATE_DIRECTORY under systemd when neither the environment nor the watchlist name it", () => {
    const config = resolveJson(
      {},
      { env: { INTUNED_API_KEY: KEY, STATE_DIRECTORY: "/var/lib/authwatch:/var/lib/other" } },
    );
    expect(config.statePath).toBe("/var/lib/authwatch/state.db");
    const named = resolveJson(
      { state: "/srv/state.db" },
      { env: { INTUNED_API_KEY: KEY, STATE_DIRECTORY: "/var/lib/authwatch" } },
    );
    expect(named.statePath).toBe("/srv/state.db");
  });

  it("builds a config from the environment alone when there is no watchlist", () => {
    const config = resolveConfig(undefined, {
      env: { INTUNED_API_KEY: KEY, INTUNED_WORKSPACE_ID: WS },
      requireSecrets: true,
      cwd: dir,
    });
    expect(config).toEqual({
      path: undefined,
      api: {
        baseUrl: "https://app.intuned.io/api/v1/workspace",
        timeoutMs: 10_000,
        concurrency: 8,
        maxRequestsPerSecond: 10,
      },
      workspaceId: WS,
      apiKey: { source: "env INTUNED_API_KEY", value: KEY },
      sessions: [],
      projects: [],
      sinks: [],
      statePath: join(dir, ".authwatch/state.db"),
      secretProblems: [],
    });
    expect(
      configError(() => resolveConfig(undefined, { env: {}, requireSecrets: true, cwd: dir })).message,
    ).toBe("environment: environment variable INTUNED_API_KEY is not set");
  });

  it("takes jitter and failureThreshold from the session, then the defaults, then the built-ins", () => {
    const config = resolveJson({
      api: { workspaceId: WS },
      defaults: { jitter: 0.2, failureThreshold: 5 },
      sessions: [session("abc"), session("own", { jitter: 0, failureThreshold: 1 })],
    });
    expect(config.sessions.map((s) => [s.jitter, s.failureThreshold])).toEqual([
      [0.2, 5],
      [0, 1],
    ]);
  });

  it("reports a session without any workspace at resolve time, naming its workspaceId", () => {
    const error = configError(() =>
      resolveJson({ sessions: [session("abc"), session("def", { workspaceId: WS })] }),
    );
    expect(error.issues).toEqual([
      {
        path: "sessions[0].workspaceId",
        message:
          "is required: set it here, in api.workspaceId, or in the environment variable INTUNED_WORKSPACE_ID",
      },
    ]);
    expect(
      resolveJson({ sessions: [session("abc")] }, { env: { INTUNED_API_KEY: KEY, INTUNED_WORKSPACE_ID: WS } })
        .sessions[0]?.key,
    ).toBe(`${WS}/p/abc`);
  });

  it("finds a duplicate that only appears once INTUNED_WORKSPACE_ID supplies the default workspace", () => {
    const error = configError(() =>
      resolveJson(
        { sessions: [session("abc", { workspaceId: WS }), session("abc")] },
        { env: { INTUNED_API_KEY: KEY, INTUNED_WORKSPACE_ID: WS } },
      ),
    );
    expect(error.issues).toEqual([
      { path: "sessions[1]", message: "watches the same workspace, project and id as sessions[0]" },
    ]);
  });

  it("rejects an INTUNED_WORKSPACE_ID or INTUNED_API_BASE_URL that is not what it should be", () => {
    const error = configError(() =>
      resolveJson(
        {},
        { env: { INTUNED_API_KEY: KEY, INTUNED_WORKSPACE_ID: "nope", INTUNED_API_BASE_URL: "not a url" } },
      ),
    );
    expect(error.issues.map((issue) => issue.message)).toEqual([
      "INTUNED_API_BASE_URL must be an http(s) URL",
      'INTUNED_WORKSPACE_ID must be a UUID like "123e4567-e89b-12d3-a456-426614174000"',
    ]);
  });
});

describe("resolveConfig intervals", () => {
  const intervalsOf = (defaults: unknown, own: unknown) =>
    resolveJson({
      api: { workspaceId: WS },
      ...(defaults === undefined ? {} : { defaults: { interval: defaults } }),
      sessions: [session("abc", own === undefined ? {} : { interval: own })],
    }).sessions[0]?.intervals;

  it("gives READY the default interval when nothing sets READY", () => {
    expect(intervalsOf({ default: "2m", PENDING: "5s" }, undefined)).toEqual({
      PENDING: 5_000,
      READY: 120_000,
      EXPIRED: 120_000,
      NOT_FOUND: 120_000,
      default: 120_000,
    });
  });

  it("leaves statuses a layer without default does not name to the built-ins", () => {
    expect(intervalsOf({ PENDING: "10s", READY: "1m", EXPIRED: "5m" }, undefined)).toEqual({
      PENDING: 10_000,
      READY: 60_000,
      EXPIRED: 300_000,
      NOT_FOUND: 300_000,
      default: 60_000,
    });
    expect(intervalsOf({ READY: "2m" }, { EXPIRED: 1_000 })).toEqual({
      PENDING: 10_000,
      READY: 120_000,
      EXPIRED: 1_000,
      NOT_FOUND: 300_000,
      default: 60_000,
    });
  });

  it("applies one duration to every status, and lets a session's interval override the defaults", () => {
    expect(intervalsOf({ PENDING: "1s", NOT_FOUND: "1h" }, "30s")).toEqual({
      PENDING: 30_000,
      READY: 30_000,
      EXPIRED: 30_000,
      NOT_FOUND: 30_000,
      default: 30_000,
    });
    expect(intervalsOf("2m", { PENDING: "5s" })).toEqual({
      PENDING: 5_000,
      READY: 120_000,
      EXPIRED: 120_000,
      NOT_FOUND: 120_000,
      default: 120_000,
    });
  });

  it("carries a cron schedule and its time zone", () => {
    const config = resolveJson({
      api: { workspaceId: WS },
      sessions: [
        session("abc", { schedule: "*/5 9-17 * * 1-5", timezone: "Europe/Berlin" }),
        session("def", { schedule: "0 * * * *" }),
      ],
    });
    expect(config.sessions.map((s) => s.schedule)).toEqual([
      { cron: "*/5 9-17 * * 1-5", timezone: "Europe/Berlin" },
      { cron: "0 * * * *", timezone: undefined },
    ]);
  });
});

describe("resolveConfig paths", () => {
  it("resolves state, key files, secret files and command programs against the watchlist's folder", () => {
    mkdirSync(join(dir, "secrets"));
    writeFileSync(join(dir, "secrets/key"), "file-key-0002\n");
    writeFileSync(join(dir, "secrets/whsec"), `${WHSEC}\n`);
    const config = resolveJson(
      {
        api: { workspaceId: WS, apiKeyFile: "secrets/key" },
        sessions: [session("abc")],
        sinks: [
          {
            name: "hook",
            type: "webhook",
            url: "https://hooks.example.com/x",
            secretFile: "./secrets/whsec",
          },
          { name: "relative", type: "command", command: ["./bin/reauth.sh", "--now"] },
          { name: "nested", type: "command", command: ["bin/reauth.sh"] },
          { name: "on-path", type: "command", command: ["reauth", "./not-a-program"] },
          { name: "absolute", type: "command", command: ["/usr/local/bin/reauth.sh"], timeout: "5s" },
        ],
        state: "var/state.db",
      },
      { env: {} },
    );
    expect(config.statePath).toBe(join(dir, "var/state.db"));
    expect(config.apiKey).toEqual({ source: `file ${join(dir, "secrets/key")}`, value: "file-key-0002" });
    const [hook, ...commands] = config.sinks;
    expect((hook as WebhookSinkConfig).secret).toEqual(
      new Uint8Array(Buffer.from("0123456789abcdef0123456789abcdef")),
    );
    expect(commands.map((sink) => (sink.type === "command" ? [sink.command, sink.timeoutMs] : []))).toEqual([
      [[join(dir, "bin/reauth.sh"), "--now"], 30_000],
      [[join(dir, "bin/reauth.sh")], 30_000],
      [["reauth", "./not-a-program"], 30_000],
      [["/usr/local/bin/reauth.sh"], 5_000],
    ]);
  });
});

describe("resolveConfig secrets", () => {
  const manySecrets = {
    api: { workspaceId: WS },
    sessions: [
      session("abc"),
      session("billing", { apiKeyEnv: "INTUNED_API_KEY_BILLING" }),
      session("filed", { apiKeyFile: "missing-key" }),
    ],
    sinks: [
      {
        name: "oncall",
        type: "webhook",
        url: "https://hooks.example.com/a",
        secretEnv: "AUTHWATCH_WEBHOOK_SECRET",
      },
      { name: "chat", type: "webhook", format: "slack", urlEnv: "SLACK_WEBHOOK_URL" },
    ],
  };

  it("reports every missing variable and file together, each with its path, when secrets are required", () => {
    const error = configError(() => resolveJson(manySecrets, { env: {} }));
    expect(error.issues).toEqual([
      { path: "api.apiKeyEnv", message: "environment variable INTUNED_API_KEY is not set" },
      { path: "sessions[1].apiKeyEnv", message: "environment variable INTUNED_API_KEY_BILLING is not set" },
      { path: "sessions[2].apiKeyFile", message: `file ${join(dir, "missing-key")} does not exist` },
      { path: "sinks[0].secretEnv", message: "environment variable AUTHWATCH_WEBHOOK_SECRET is not set" },
      { path: "sinks[1].urlEnv", message: "environment variable SLACK_WEBHOOK_URL is not set" },
    ]);
    expect(error.exitCode).toBe(2);
    expect(error.message.split("\n")[0]).toBe(`${join(dir, "watchlist.json")}: 5 problems`);
  });

  it("leaves missing secrets undefined and drops a webhook without its URL when secrets are not required", () => {
    const config = resolveJson(manySecrets, { env: {}, requireSecrets: false });
    expect(config.apiKey).toBeUndefined();
    expect(config.sessions.map((s) => s.apiKey)).toEqual([undefined, undefined, undefined]);
    expect(config.sinks.map((sink) => sink.name)).toEqual(["oncall"]);
    expect((config.sinks[0] as WebhookSinkConfig).secret).toBeUndefined();
  });

  it("keeps every missing secret as data, with what needs it, when secrets are not required", () => {
    const config = resolveJson(manySecrets, { env: {}, requireSecrets: false });
    expect(config.secretProblems).toEqual([
      {
        path: "api.apiKeyEnv",
        message: "environment variable INTUNED_API_KEY is not set",
        use: { kind: "default-api-key", inUse: true },
      },
      {
        path: "sessions[1].apiKeyEnv",
        message: "environment variable INTUNED_API_KEY_BILLING is not set",
        use: { kind: "session-api-key", session: 1 },
      },
      {
        path: "sessions[2].apiKeyFile",
        message: `file ${join(dir, "missing-key")} does not exist`,
        use: { kind: "session-api-key", session: 2 },
      },
      {
        path: "sinks[0].secretEnv",
        message: "environment variable AUTHWATCH_WEBHOOK_SECRET is not set",
        use: { kind: "sink", sink: 0 },
      },
      {
        path: "sinks[1].urlEnv",
        message: "environment variable SLACK_WEBHOOK_URL is not set",
        use: { kind: "sink", sink: 1 },
      },
    ]);
  });

  it("asks only for the API keys when told so, leaving the sinks' secrets as data", () => {
    const error = configError(() => resolveJson(manySecrets, { env: {}, requireSecrets: "api-keys" }));
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "api.apiKeyEnv",
      "sessions[1].apiKeyEnv",
      "sessions[2].apiKeyFile",
    ]);
    writeFileSync(join(dir, "missing-key"), "key-from-file-0002\n");
    const config = resolveJson(manySecrets, {
      env: { INTUNED_API_KEY: KEY, INTUNED_API_KEY_BILLING: KEY },
      requireSecrets: "api-keys",
    });
    expect(config.secretProblems.map((problem) => problem.path)).toEqual([
      "sinks[0].secretEnv",
      "sinks[1].urlEnv",
    ]);
  });

  it("reads every secret from where the watchlist says when they are all present", () => {
    writeFileSync(join(dir, "missing-key"), "filed-key-0003\r\n");
    const config = resolveJson(manySecrets, {
      env: {
        INTUNED_API_KEY: KEY,
        INTUNED_API_KEY_BILLING: "billing-key-0004",
        AUTHWATCH_WEBHOOK_SECRET: WHSEC,
        SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/token",
      },
    });
    expect(config.sessions.map((s) => s.apiKey)).toEqual([
      { source: "env INTUNED_API_KEY", value: KEY },
      { source: "env INTUNED_API_KEY_BILLING", value: "billing-key-0004" },
      { source: `file ${join(dir, "missing-key")}`, value: "filed-key-0003" },
    ]);
    const [oncall, chat] = config.sinks as WebhookSinkConfig[];
    expect(oncall).toMatchObject({
      format: "standard",
      url: { source: "watchlist sinks[0].url", value: "https://hooks.example.com/a" },
    });
    expect(oncall?.secret?.byteLength).toBe(32);
    expect(chat).toMatchObject({
      format: "slack",
      url: { source: "env SLACK_WEBHOOK_URL", value: "https://hooks.slack.com/services/T0/B0/token" },
      secret: undefined,
      timeoutMs: 10_000,
    });
  });

  it("uses the systemd credential intuned-api-key before INTUNED_API_KEY, but after api.apiKeyFile and a session's own key", () => {
    const credentials = join(dir, "credentials");
    mkdirSync(credentials);
    writeFileSync(join(credentials, "intuned-api-key"), "credential-key-0005\n");
    const env = { INTUNED_API_KEY: KEY, INTUNED_KEY_B: "own-key-0006", CREDENTIALS_DIRECTORY: credentials };

    const config = resolveJson(
      {
        api: { workspaceId: WS },
        sessions: [session("abc"), session("own", { apiKeyEnv: "INTUNED_KEY_B" })],
      },
      { env },
    );
    expect(config.apiKey).toEqual({ source: "credential intuned-api-key", value: "credential-key-0005" });
    expect(config.sessions.map((s) => s.apiKey?.source)).toEqual([
      "credential intuned-api-key",
      "env INTUNED_KEY_B",
    ]);

    writeFileSync(join(dir, "api-key"), "api-file-key-0007");
    const withFile = resolveJson({ api: { workspaceId: WS, apiKeyFile: "api-key" } }, { env });
    expect(withFile.apiKey?.value).toBe("api-file-key-0007");

    const noCredential = resolveJson({}, { env: { ...env, CREDENTIALS_DIRECTORY: join(dir, "empty") } });
    expect(noCredential.apiKey).toEqual({ source: "env INTUNED_API_KEY", value: KEY });
  });

  it("does not demand the default key when every session has its own", () => {
    const config = resolveJson(
      { api: { workspaceId: WS }, sessions: [session("own", { apiKeyEnv: "OWN_KEY" })] },
      { env: { OWN_KEY: "own-key-0008" } },
    );
    expect(config.apiKey).toBeUndefined();
    expect(config.sessions[0]?.apiKey?.value).toBe("own-key-0008");
  });

  it("treats a set but empty variable or file as missing", () => {
    writeFileSync(join(dir, "empty-key"), "\n");
    const error = configError(() =>
      resolveJson(
        { api: { workspaceId: WS }, sessions: [session("abc"), session("def", { apiKeyFile: "empty-key" })] },
        { env: { INTUNED_API_KEY: "" } },
      ),
    );
    expect(error.issues).toEqual([
      { path: "api.apiKeyEnv", message: "environment variable INTUNED_API_KEY is empty" },
      { path: "sessions[1].apiKeyFile", message: `file ${join(dir, "empty-key")} is empty` },
    ]);
  });

  it("never puts a secret value in a ConfigError, whatever is wrong with it", () => {
    const secrets = {
      AUTHWATCH_WEBHOOK_SECRET: "whsec_not!base64-SECRET-A1",
      SLACK_WEBHOOK_URL: "SECRET-B2-not-a-url",
      SECRET_FILE_HOOK: "x",
    };
    writeFileSync(join(dir, "bad-secret"), "SECRET-C3-no-prefix\n");
    const credentials = join(dir, "credentials");
    mkdirSync(join(credentials, "intuned-api-key"), { recursive: true });
    const error = configError(() =>
      resolveJson(
        {
          api: { workspaceId: WS },
          sessions: [session("abc")],
          sinks: [
            {
              name: "a",
              type: "webhook",
              url: "https://hooks.example.com/SECRET-D4",
              secretEnv: "AUTHWATCH_WEBHOOK_SECRET",
            },
            { name: "b", type: "webhook", format: "slack", urlEnv: "SLACK_WEBHOOK_URL" },
            { name: "c", type: "webhook", url: "https://hooks.example.com/c", secretFile: "bad-secret" },
          ],
        },
        // The credential is a folder, so reading it fails with EISDIR rather than ENOENT.
        { env: { ...secrets, INTUNED_API_KEY: "SECRET-E5", CREDENTIALS_DIRECTORY: credentials } },
      ),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "",
      "sinks[0].secretEnv",
      "sinks[1].urlEnv",
      "sinks[2].secretFile",
    ]);
    expect(error.issues[1]?.message).toBe(
      'environment variable AUTHWATCH_WEBHOOK_SECRET must hold a secret like "whsec_" followed by base64',
    );
    const everything = `${error.message}\n${JSON.stringify(error.issues)}\n${JSON.stringify(error)}`;
    for (const secret of ["SECRET-A1", "SECRET-B2", "SECRET-C3", "SECRET-D4", "SECRET-E5"]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe("a key pasted where its variable's name belongs", () => {
  it("is not repeated in the error", () => {
    const pasted = "in_live_REALKEY123456abcdef";
    const run = () =>
      resolveConfig(
        {
          api: { workspaceId: "123e4567-e89b-12d3-a456-426614174000", apiKeyEnv: pasted },
          sessions: [],
        } as never,
        { env: {}, requireSecrets: true },
      );
    expect(run).toThrow(/api\.apiKeyEnv: the environment variable named here/);
    try {
      run();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(pasted);
    }
  });
});
