import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildWatchlistJsonSchema,
  formatWatchlistJsonSchema,
  WATCHLIST_SCHEMA_FILE,
} from "../../src/config/json-schema.js";
import { loadWatchlist } from "../../src/config/load.js";
import { parseWatchlist } from "../../src/config/parse.js";

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
