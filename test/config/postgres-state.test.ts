import { describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { resolveConfig } from "../../src/config/resolve.js";
import type { ResolvedConfig } from "../../src/config/types.js";
import { configError } from "../helpers/config-error.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";
const URL_WITH_PASSWORD = "postgres://authwatch:s3cret-pw@db.internal:5432/ops";

function resolveWith(state: unknown, env: Record<string, string>): ResolvedConfig {
  const parsed = parseWatchlist({ api: { workspaceId: WS }, sessions: [{ project: "p", id: "abc" }], state });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return resolveConfig(parsed.value, {
    path: "/srv/watchlist.json",
    env: { INTUNED_API_KEY: "key-0001", ...env },
    requireSecrets: true,
    cwd: "/srv",
  });
}

describe("the PostgreSQL state setting (contract §10)", () => {
  it("reads the URL from the variable urlEnv names and shows it only without the password", () => {
    const config = resolveWith(
      { postgres: { urlEnv: "OPS_DB", schema: "team_a", leaseTtl: "5s" } },
      { OPS_DB: URL_WITH_PASSWORD },
    );
    expect(config.postgres).toEqual({
      url: { source: "env OPS_DB", value: URL_WITH_PASSWORD },
      location: "postgres://authwatch:***@db.internal:5432/ops",
      schema: "team_a",
      leaseTtlMs: 5_000,
    });
    expect(config.statePath).not.toContain("s3cret");
  });

  it("defaults to AUTHWATCH_DATABASE_URL, schema authwatch and a 15 s lease", () => {
    const config = resolveWith({ postgres: {} }, { AUTHWATCH_DATABASE_URL: URL_WITH_PASSWORD });
    expect(config.postgres).toMatchObject({ schema: "authwatch", leaseTtlMs: 15_000 });
  });

  it("takes a postgres:// URL in AUTHWATCH_STATE over a state file in the watchlist", () => {
    const config = resolveWith("./state.db", { AUTHWATCH_STATE: URL_WITH_PASSWORD });
    expect(config.postgres?.url.source).toBe("env AUTHWATCH_STATE");
    expect(config.postgres?.schema).toBe("authwatch");
  });

  it("keeps SQLite when AUTHWATCH_STATE names a file, even if the watchlist says postgres", () => {
    const config = resolveWith({ postgres: {} }, { AUTHWATCH_STATE: "/var/lib/authwatch/state.db" });
    expect(config.postgres).toBeUndefined();
    expect(config.statePath).toBe("/var/lib/authwatch/state.db");
  });

  it("says which variable is missing, with its path, and never echoes a URL", () => {
    const error = configError(() => resolveWith({ postgres: {} }, {}));
    expect(error.issues).toEqual([
      {
        path: "state.postgres.urlEnv",
        message: "environment variable AUTHWATCH_DATABASE_URL is not set; set it to a postgres:// URL",
      },
    ]);
    const notUrl = configError(() => resolveWith({ postgres: {} }, { AUTHWATCH_DATABASE_URL: "s3cret-pw" }));
    expect(JSON.stringify(notUrl.issues)).not.toContain("s3cret");
  });

  it("rejects unknown keys and a schema name that would need quoting", () => {
    const parsed = parseWatchlist({ state: { postgres: { schema: "Team-A", url: "x" } } });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.issues.map((issue) => issue.path)).toEqual(
        expect.arrayContaining(["state.postgres.schema", "state.postgres.url"]),
      );
    }
  });
});
