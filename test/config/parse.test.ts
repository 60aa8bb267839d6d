import { describe, expect, it } from "vitest";
import { formatPath, parseWatchlist } from "../../src/config/parse.js";
import { DURATION_PATTERN, SINK_TYPES } from "../../src/config/schema.js";
import { parseDuration } from "../../src/duration.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";
const WS2 = "9b2f3c4d-1111-4222-8333-444455556666";

function issuesOf(json: unknown): Record<string, string> {
  const result = parseWatchlist(json);
  if (result.ok) throw new Error("expected the watchlist to be invalid");
  return Object.fromEntries(result.issues.map((issue) => [issue.path, issue.message]));
}

describe("parseWatchlist", () => {
  it("reports every mistake of a watchlist at once, each under the exact path of the value at fault", () => {
    const result = parseWatchlist({
      api: { workspaceId: WS },
      sessions: [
        { project: "shop", id: "ok-session" },
        { project: "shop", id: "x!", workspaceId: "not-a-uuid" },
        { project: "shop", id: "labelled", labelz: { team: "growth" } },
        { project: "shop", id: "slow", interval: "10 minutes" },
        { project: "shop", id: "cron", schedule: "61 * * * *" },
        { project: "shop", id: "ok-session", workspaceId: WS },
      ],
      sinks: [
        { name: "log", type: "console" },
        { name: "log", type: "console", events: ["authsession.expired", "authsession.expird"] },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(
      [
        "sessions[1].id",
        "sessions[1].workspaceId",
        "sessions[2].labelz",
        "sessions[3].interval",
        "sessions[4].schedule",
        "sessions[5]",
        "sinks[1].name",
        "sinks[1].events[1]",
      ].sort(),
    );
    const byPath = Object.fromEntries(result.issues.map((issue) => [issue.path, issue.message]));
    expect(byPath["sessions[1].id"]).toBe(
      "must be at least 3 characters long; must contain only letters, digits and - ( ) , _",
    );
    expect(byPath["sessions[1].workspaceId"]).toBe(`must be a UUID like "${WS}"`);
    expect(byPath["sessions[2].labelz"]).toBe('unknown key "labelz"; did you mean "labels"?');
    expect(byPath["sessions[3].interval"]).toMatch(/^must be a duration like "500ms", "10s"/);
    expect(byPath["sessions[4].schedule"]).toMatch(/^must be a cron expression like .*out of range/);
    expect(byPath["sessions[5]"]).toBe("watches the same workspace, project and id as sessions[0]");
    expect(byPath["sinks[1].name"]).toBe('"log" is already the name of sinks[0]; sink names must be unique');
    expect(byPath["sinks[1].events[1]"]).toMatch(
      /^must be an event type: .*; did you mean "authsession.expired"\?$/,
    );
  });

  it("accepts the whole contract example, durations in every form and a $schema key", () => {
    const result = parseWatchlist({
      $schema: "./watchlist.schema.json",
      api: {
        baseUrl: "https://app.intuned.io/api/v1/workspace",
        workspaceId: WS,
        apiKeyEnv: "INTUNED_API_KEY",
        timeout: "10s",
        concurrency: 8,
        maxRequestsPerSecond: 10,
      },
      defaults: {
        interval: { PENDING: "10s", READY: "1m", EXPIRED: 300_000 },
        jitter: 0.1,
        failureThreshold: 3,
      },
      sessions: [
        { project: "my-project", id: "auth-session-123", labels: { team: "growth" } },
        {
          project: "billing",
          id: "billing-login",
          workspaceId: WS2,
          apiKeyEnv: "INTUNED_API_KEY_BILLING",
          schedule: "*/5 9-17 * * 1-5",
          timezone: "Europe/Berlin",
        },
        { project: "ops", id: "a(1),b_2-c", interval: "500ms" },
      ],
      sinks: [
        { name: "log", type: "console" },
        {
          name: "oncall",
          type: "webhook",
          url: "https://hooks.example.com/authwatch",
          secretEnv: "AUTHWATCH_WEBHOOK_SECRET",
          events: ["authsession.expired"],
          retry: { window: "1d" },
        },
        {
          name: "chat",
          type: "webhook",
          format: "slack",
          urlEnv: "SLACK_WEBHOOK_URL",
          match: { labels: { team: "growth" } },
        },
        {
          name: "reauth",
          type: "command",
          command: ["/usr/local/bin/reauth.sh"],
          events: ["authsession.expired"],
        },
      ],
      state: "./.authwatch/state.db",
    });
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it("accepts an empty document: sessions and sinks are optional", () => {
    expect(parseWatchlist({})).toEqual({ ok: true, value: {} });
  });

  it("rejects a document that is not an object with one issue at the root", () => {
    expect(parseWatchlist([])).toEqual({
      ok: false,
      issues: [{ path: "", message: "must be a JSON object" }],
    });
  });

  it("names each unknown key itself, at every depth, with a suggestion only for a likely typo", () => {
    expect(
      issuesOf({
        sesions: [],
        api: { timout: "1s" },
        defaults: { interval: { PENDIN: "1s" } },
        sinks: [{ name: "w", type: "webhook", url: "https://x.example", secretENV: "S", zzz: 1 }],
      }),
    ).toEqual({
      sesions: 'unknown key "sesions"; did you mean "sessions"?',
      "api.timout": 'unknown key "timout"; did you mean "timeout"?',
      "defaults.interval.PENDIN": 'unknown key "PENDIN"; did you mean "PENDING"?',
      "sinks[0].secretENV": 'unknown key "secretENV"; did you mean "secretEnv"?',
      "sinks[0].zzz": 'unknown key "zzz"',
    });
  });

  it("says which fields are required and which sink types exist", () => {
    const SINK_TYPE_LIST = SINK_TYPES.map((type) => `"${type}"`).join(", ");
    expect(SINK_TYPE_LIST).toContain('"console", "webhook", "command"');
    expect(
      issuesOf({
        sessions: [{ id: "abc" }],
        sinks: [{ type: "console" }, { name: "x", type: "webhok" }, {}],
      }),
    ).toEqual({
      "sessions[0].project": "is required",
      "sinks[0].name": "is required",
      "sinks[1].type": `must be one of ${SINK_TYPE_LIST}; did you mean "webhook"?`,
      "sinks[2].type": `is required: one of ${SINK_TYPE_LIST}`,
    });
  });

  it("checks the value rules of ids, projects, uuids, numbers, urls and time zones", () => {
    expect(
      issuesOf({
        api: { baseUrl: "ftp://example.com", concurrency: 0, maxRequestsPerSecond: 0, timeout: 0 },
        defaults: { jitter: 0.6, failureThreshold: 1.5 },
        sessions: [{ project: "a/b", id: "ab", timezone: "Mars/Olympus", schedule: "* * * * *" }],
      }),
    ).toEqual({
      "api.baseUrl": "must be an http:// or https:// URL",
      "api.concurrency": "must be an integer of at least 1",
      "api.maxRequestsPerSecond": "must be a number greater than 0",
      "api.timeout": "must be between 1ms and 24d",
      "defaults.jitter": "must be a number from 0 to 0.5",
      "defaults.failureThreshold": "must be an integer",
      "sessions[0].project": 'must be a non-empty project name without "/"',
      "sessions[0].id": "must be at least 3 characters long",
      "sessions[0].timezone": 'must be an IANA time zone like "Europe/Berlin"',
    });
  });

  it("enforces the either-or rules of webhooks, keys and schedules", () => {
    expect(
      issuesOf({
        api: { apiKeyEnv: "K", apiKeyFile: "k.txt" },
        sessions: [
          { project: "p", id: "both-keys", apiKeyEnv: "K", apiKeyFile: "k.txt" },
          { project: "p", id: "both-times", interval: "1m", schedule: "* * * * *" },
          { project: "p", id: "zone-alone", timezone: "Europe/Berlin" },
        ],
        sinks: [
          { name: "a", type: "webhook" },
          { name: "b", type: "webhook", url: "https://x.example", urlEnv: "URL" },
          { name: "c", type: "webhook", url: "https://x.example", secretEnv: "S", secretFile: "s.txt" },
          { name: "d", type: "webhook", format: "slack", urlEnv: "URL", secretEnv: "S" },
        ],
      }),
    ).toEqual({
      "api.apiKeyFile": 'set "apiKeyEnv" or "apiKeyFile", not both',
      "sessions[0].apiKeyFile": 'set "apiKeyEnv" or "apiKeyFile", not both',
      "sessions[1].schedule": 'set "interval" or "schedule", not both',
      "sessions[2].timezone": 'only applies to "schedule", which is not set',
      "sinks[0].url": 'is required, or "urlEnv" naming the environment variable that holds the URL',
      "sinks[1].urlEnv": 'set "url" or "urlEnv", not both',
      "sinks[2].secretFile": 'set "secretEnv" or "secretFile", not both',
      "sinks[3].secretEnv": 'only the "standard" format is signed; remove it, or remove "format": "slack"',
    });
  });

  it("treats two sessions without any workspace as duplicates, since they will share the same default", () => {
    expect(
      issuesOf({
        sessions: [
          { project: "p", id: "abc" },
          { project: "p", id: "abc" },
        ],
      }),
    ).toEqual({
      "sessions[1]": "watches the same workspace, project and id as sessions[0]",
    });
  });

  it("allows the same project and id in two different workspaces", () => {
    const result = parseWatchlist({
      api: { workspaceId: WS },
      sessions: [
        { project: "p", id: "abc" },
        { project: "p", id: "abc", workspaceId: WS2 },
      ],
    });
    expect(result.ok).toBe(true);
  });

  it("refuses a secret pasted where a variable name belongs, without echoing it", () => {
    const result = parseWatchlist({
      sinks: [
        {
          name: "w",
          type: "webhook",
          urlEnv: "https://hooks.slack.com/services/T0/B0/s3cr3t",
          secretEnv: "whsec_c2VjcmV0",
        },
      ],
    });
    expect(result.ok).toBe(false);
    const text = JSON.stringify(result);
    expect(text).toContain("not the secret itself");
    expect(text).not.toContain("s3cr3t");
    expect(text).not.toContain("c2VjcmV0");
  });

  it("keeps only strings that parseDuration reads in the duration pattern", () => {
    for (const text of ["0", "500ms", "1.5s", "10s", "5m", "1h", "1d", "1m30s"]) {
      expect(DURATION_PATTERN.test(text), text).toBe(true);
      expect(parseDuration(text), text).toBeTypeOf("number");
    }
    // Digits alone are a forgotten unit in a string (milliseconds are a JSON number).
    for (const text of ["", "500", "10", "1.5", "10 s", " 10s", "-1s", "1w", "s"]) {
      expect(DURATION_PATTERN.test(text), text).toBe(false);
    }
  });
});

describe("a duration string without a unit", () => {
  it('is refused with the fix in the message, while the number and "0" stay valid', () => {
    const withRule = (forValue: unknown) =>
      parseWatchlist({
        api: { workspaceId: "123e4567-e89b-12d3-a456-426614174000" },
        sessions: [{ project: "logins", id: "user-1" }],
        alerts: [{ name: "stuck", status: "PENDING", for: forValue }],
      });
    const refused = withRule("10");
    expect(refused.ok).toBe(false);
    expect(refused.ok ? [] : refused.issues).toEqual([
      {
        path: "alerts[0].for",
        message: '"10" has no unit: write "10s" or "10m" (or the number 10 for milliseconds)',
      },
    ]);
    expect(withRule(10).ok).toBe(true);
    expect(withRule("10m").ok).toBe(true);
  });
});

describe("formatPath", () => {
  it("writes indexes in brackets, identifiers with dots and quotes other keys", () => {
    expect(formatPath(["sinks", 1, "events", 0])).toBe("sinks[1].events[0]");
    expect(formatPath(["sessions", 0, "labels", "team.name"])).toBe('sessions[0].labels["team.name"]');
    expect(formatPath(["$schema"])).toBe("$schema");
    expect(formatPath([])).toBe("");
  });
});
