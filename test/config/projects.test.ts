import { describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { compileGlob, createIdFilter } from "../../src/projects/id-filter.js";
import { configError } from "../helpers/config-error.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "key-from-env-0001";

function resolveJson(json: Record<string, unknown>, env: Record<string, string> = { INTUNED_API_KEY: KEY }) {
  const parsed = parseWatchlist(json);
  if (!parsed.ok) throw new Error(`test watchlist is invalid: ${JSON.stringify(parsed.issues)}`);
  return resolveConfig(parsed.value, { path: "/tmp/watchlist.json", env, requireSecrets: true });
}

function issuesOf(json: unknown) {
  const parsed = parseWatchlist(json);
  return parsed.ok ? [] : parsed.issues;
}

describe("projects in the watchlist", () => {
  it("resolves an entry with the contract's fields and the defaults of a session", () => {
    const config = resolveJson(
      {
        api: { workspaceId: WS },
        defaults: { jitter: 0.2 },
        projects: [
          {
            project: "customer-logins",
            include: ["user-*"],
            exclude: ["user-test-*"],
            labels: { team: "growth" },
            interval: { PENDING: "10s", default: "1m" },
            apiKeyEnv: "LOGINS_KEY",
          },
        ],
      },
      { INTUNED_API_KEY: KEY, LOGINS_KEY: "other-key-1" },
    );
    expect(config.projects).toEqual([
      {
        workspaceId: WS,
        projectName: "customer-logins",
        key: `${WS}/customer-logins`,
        include: ["user-*"],
        exclude: ["user-test-*"],
        labels: { team: "growth" },
        apiKey: { source: "env LOGINS_KEY", value: "other-key-1" },
        intervals: { PENDING: 10_000, READY: 60_000, EXPIRED: 60_000, NOT_FOUND: 60_000, default: 60_000 },
        jitter: 0.2,
        failureThreshold: 3,
        schedule: undefined,
        path: "projects[0]",
      },
    ]);
  });

  it("is a config error when a listed session is also covered by a projects entry, naming both paths", () => {
    const error = configError(() =>
      resolveJson({
        api: { workspaceId: WS },
        sessions: [
          { project: "customer-logins", id: "user-42" },
          { project: "customer-logins", id: "user-test-1" },
          { project: "other", id: "user-43" },
        ],
        projects: [{ project: "customer-logins", include: ["user-*"], exclude: ["user-test-*"] }],
      }),
    );
    expect(error.issues).toEqual([
      {
        path: "sessions[0]",
        message: expect.stringContaining('is also covered by projects[0] (project "customer-logins")'),
      },
    ]);
  });

  it("rejects two entries for one project, bad globs, unknown keys and interval with schedule", () => {
    const issues = issuesOf({
      api: { workspaceId: WS },
      projects: [
        { project: "a", include: ["user/*"], exclude: [] },
        { project: "a", includes: ["x"], interval: "1m", schedule: "*/5 * * * *", timezone: "UTC" },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "projects[0].include[0]", message: expect.stringContaining("must be a glob on session ids") },
        { path: "projects[0].exclude", message: expect.stringContaining("at least one glob") },
        { path: "projects[1].includes", message: 'unknown key "includes"; did you mean "include"?' },
        { path: "projects[1].schedule", message: 'set "interval" or "schedule", not both' },
        {
          path: "projects[1]",
          message: expect.stringContaining("same workspace and project as projects[0]"),
        },
      ]),
    );
  });

  it("needs a workspace for each project, from the entry, api.workspaceId or the environment", () => {
    const error = configError(() => resolveJson({ projects: [{ project: "a" }] }));
    expect(error.issues).toEqual([
      { path: "projects[0].workspaceId", message: expect.stringContaining("is required") },
    ]);
  });
});

describe("createIdFilter", () => {
  it("matches * as any run and ? as one character, everything else literally", () => {
    expect(compileGlob("user-*").test("user-42")).toBe(true);
    expect(compileGlob("user-*").test("admin-user-42")).toBe(false);
    expect(compileGlob("u?er").test("user")).toBe(true);
    expect(compileGlob("u?er").test("uer")).toBe(false);
    expect(compileGlob("a(1),b").test("a(1),b")).toBe(true);
    expect(compileGlob("a(1)").test("a1")).toBe(false);
  });

  it("includes every id without include globs and lets exclude win", () => {
    const all = createIdFilter(undefined, []);
    expect(all("anything")).toBe(true);
    const filter = createIdFilter(["user-*", "admin"], ["user-test-*"]);
    expect(["user-1", "admin", "user-test-1", "other"].map(filter)).toEqual([true, true, false, false]);
  });
});
