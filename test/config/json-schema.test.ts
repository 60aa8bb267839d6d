import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildWatchlistJsonSchema,
  formatWatchlistJsonSchema,
  WATCHLIST_SCHEMA_FILE,
} from "../../src/config/json-schema.js";
import { loadWatchlist } from "../../src/config/load.js";
import { parseWatchlist } from "../../src/config/parse.js";
import { isValidAgainst } from "../helpers/json-schema-check.js";

const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), "utf8");

describe("watchlist.schema.json", () => {
  it("is exactly what the zod schema generates today", () => {
    expect(
      read(WATCHLIST_SCHEMA_FILE),
      "watchlist.schema.json is stale: run `npm run schema` and commit the result",
    ).toBe(formatWatchlistJsonSchema());
  });

  it("is draft 2020-12, closed to unknown keys, and allows $schema at the top", () => {
    const schema = buildWatchlistJsonSchema();
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.additionalProperties).toBe(false);
    expect(schema.title).toBe("authwatch watchlist");
    expect((schema.properties as Record<string, unknown>).$schema).toMatchObject({ type: "string" });
  });

  it("accepts a duration as a string with a unit or as integer milliseconds", () => {
    const defs = buildWatchlistJsonSchema().$defs as Record<
      string,
      { anyOf: Array<Record<string, unknown>> }
    >;
    expect(defs.duration?.anyOf.map((option) => option.type)).toEqual(["string", "integer"]);
    const pattern = new RegExp(String(defs.duration?.anyOf[0]?.pattern));
    expect(["500ms", "10s", "5m", "1h", "1d"].every((text) => pattern.test(text))).toBe(true);
    expect(pattern.test("10 seconds")).toBe(false);
  });
});

describe("the example watchlist.json", () => {
  const example = JSON.parse(read("watchlist.json")) as Record<string, unknown>;

  it("parses cleanly and points editors at the published schema", () => {
    expect(parseWatchlist(example)).toMatchObject({ ok: true });
    expect(example.$schema).toBe("./watchlist.schema.json");
  });

  it("shows labels, a cron schedule with a time zone, a console sink and a signed webhook", () => {
    const config = loadWatchlist(
      new URL("watchlist.json", root).pathname,
      {
        INTUNED_API_KEY: "example-key",
        AUTHWATCH_WEBHOOK_SECRET: `whsec_${Buffer.from("example-secret-32-bytes-long!!!!").toString("base64")}`,
      },
      { requireSecrets: true },
    );
    expect(config.sessions.some((s) => Object.keys(s.labels).length > 0)).toBe(true);
    expect(config.sessions.some((s) => s.schedule?.timezone !== undefined)).toBe(true);
    expect(config.sinks.map((sink) => sink.type).sort()).toEqual(["console", "webhook"]);
    expect(config.sinks.some((sink) => sink.type === "webhook" && sink.secret !== undefined)).toBe(true);
  });
});

describe("watchlist.schema.json and check agree", () => {
  const schema = buildWatchlistJsonSchema();
  const WS = "123e4567-e89b-12d3-a456-426614174000";
  const doc = (extra: Record<string, unknown>) => ({ api: { workspaceId: WS }, ...extra });
  const sessionWith = (fields: Record<string, unknown>) =>
    doc({ sessions: [{ project: "p", id: "abc", ...fields }] });
  const webhook = (fields: Record<string, unknown>) =>
    doc({ sinks: [{ name: "hook", type: "webhook", ...fields }] });

  it.each([
    ["the example watchlist.json", JSON.parse(read("watchlist.json"))],
    ["a minimal watchlist", sessionWith({})],
    ["an interval of 1m30s", sessionWith({ interval: "1m30s" })],
    ["a schedule with its time zone", sessionWith({ schedule: "*/5 * * * *", timezone: "Europe/Berlin" })],
    ["a webhook with a url", webhook({ url: "https://hooks.example.com/a" })],
    ["a webhook with a urlEnv", webhook({ urlEnv: "HOOK_URL" })],
  ])("both accept %s", (_name, json) => {
    expect(parseWatchlist(json)).toMatchObject({ ok: true });
    expect(isValidAgainst(schema, json)).toBe(true);
  });

  it.each([
    ["interval 0s", sessionWith({ interval: "0s" })],
    ["interval 0", sessionWith({ interval: 0 })],
    ["an interval of 0ms for PENDING", sessionWith({ interval: { PENDING: "0ms" } })],
    ["an api timeout of 0s", doc({ api: { workspaceId: WS, timeout: "0s" } })],
    ["both interval and schedule", sessionWith({ interval: "1m", schedule: "*/5 * * * *" })],
    ["a time zone without a schedule", sessionWith({ timezone: "Europe/Berlin" })],
    ["both apiKeyEnv and apiKeyFile", sessionWith({ apiKeyEnv: "K", apiKeyFile: "/k" })],
    [
      "a webhook with both url and urlEnv",
      webhook({ url: "https://hooks.example.com/a", urlEnv: "HOOK_URL" }),
    ],
    ["a webhook with neither url nor urlEnv", webhook({})],
    ["a webhook with two secret sources", webhook({ urlEnv: "H", secretEnv: "S", secretFile: "/s" })],
    ["a heartbeat with neither url nor urlEnv", doc({ heartbeat: { every: "1m" } })],
    ["an unknown key", sessionWith({ labelz: {} })],
  ])("both reject %s", (_name, json) => {
    expect(parseWatchlist(json)).toMatchObject({ ok: false });
    expect(isValidAgainst(schema, json)).toBe(false);
  });
});
