import { describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { configError } from "../helpers/config-error.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";
const ENV = { INTUNED_API_KEY: "k", INTUNED_WORKSPACE_ID: WS };

function issuesOf(json: unknown): Record<string, string> {
  const result = parseWatchlist(json);
  if (result.ok) throw new Error("expected the watchlist to be invalid");
  return Object.fromEntries(result.issues.map((issue) => [issue.path, issue.message]));
}

const contractExample = {
  alerts: [
    { name: "stuck-pending", status: "PENDING", for: "15m", repeat: "1h" },
    {
      name: "still-expired",
      status: "EXPIRED",
      for: "1h",
      repeat: "4h",
      match: { labels: { team: "growth" } },
    },
  ],
  maintenance: [
    {
      name: "sunday-rotation",
      schedule: "0 2 * * 0",
      duration: "2h",
      timezone: "Europe/Berlin",
      match: { project: "billing" },
    },
  ],
  heartbeat: { urlEnv: "AUTHWATCH_HEARTBEAT_URL", every: "1m" },
};

describe("alerts, maintenance and heartbeat in the watchlist", () => {
  it("accepts the contract's example and resolves it to milliseconds and a secret URL", () => {
    const parsed = parseWatchlist(contractExample);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const config = resolveConfig(parsed.value, {
      env: { ...ENV, AUTHWATCH_HEARTBEAT_URL: "https://hc-ping.com/abc" },
      requireSecrets: true,
    });
    expect(config.alerts).toEqual([
      { name: "stuck-pending", status: "PENDING", forMs: 900_000, repeatMs: 3_600_000, match: undefined },
      {
        name: "still-expired",
        status: "EXPIRED",
        forMs: 3_600_000,
        repeatMs: 14_400_000,
        match: { labels: { team: "growth" } },
      },
    ]);
    expect(config.maintenance).toEqual([
      {
        name: "sunday-rotation",
        cron: "0 2 * * 0",
        timezone: "Europe/Berlin",
        durationMs: 7_200_000,
        match: { project: "billing" },
      },
    ]);
    expect(config.heartbeat).toEqual({
      url: { source: "env AUTHWATCH_HEARTBEAT_URL", value: "https://hc-ping.com/abc" },
      everyMs: 60_000,
    });
  });

  it("names each mistake by its path: unknown keys, bad statuses, durations, schedules, duplicate names", () => {
    expect(
      issuesOf({
        alerts: [
          { name: "a", status: "PENDNG", for: "15m" },
          { name: "a", status: "PENDING", for: "soon", repaet: "1h" },
        ],
        maintenance: [
          { name: "m", schedule: "0 25 * * *", duration: "31d" },
          { name: "n", schedule: "0 2 * * 0", duration: "1h", match: { projet: "x" } },
        ],
        heartbeat: { every: "1m" },
      }),
    ).toEqual({
      "alerts[0].status": expect.stringContaining("PENDING"),
      "alerts[1].name": expect.stringContaining('"a" is already the name of alerts[0]'),
      "alerts[1].for": expect.stringContaining("duration"),
      "alerts[1].repaet": expect.stringContaining("unknown"),
      "maintenance[0].schedule": expect.stringContaining("cron"),
      "maintenance[0].duration": "must be between 1s and 30d",
      "maintenance[1].match.projet": expect.stringContaining("unknown"),
      "heartbeat.url": expect.stringContaining("urlEnv"),
    });
  });

  it("demands the heartbeat's variable for watch and check, and never shows its value", () => {
    const parsed = parseWatchlist(contractExample);
    if (!parsed.ok) throw new Error("valid");
    const error = configError(() => resolveConfig(parsed.value, { env: ENV, requireSecrets: true }));
    expect(error.message).toContain(
      "heartbeat.urlEnv: environment variable AUTHWATCH_HEARTBEAT_URL is not set",
    );
  });
});
