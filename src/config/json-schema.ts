/**
 * The published watchlist.schema.json, derived from the zod schema so the two cannot disagree.
 * test/config/json-schema.test.ts fails when the checked-in file is stale.
 */
import { z } from "zod";
import { watchlistSchema } from "./schema.js";

export const WATCHLIST_SCHEMA_FILE = "watchlist.schema.json";

export function buildWatchlistJsonSchema(): Record<string, unknown> {
  // "input": the document as written. Rules between keys come from keyRules() metadata; what JSON
  // Schema cannot express (cron, time zones, duplicates, a duration like "0.0001s") is left to `check`.
  return z.toJSONSchema(watchlistSchema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
}

/**
 * The file's exact text, laid out the way `biome format` lays out JSON (objects expanded, arrays of
 * plain values on one line when they fit in 110 columns), so `npm test`'s Biome check passes on it.
 */
export function formatWatchlistJsonSchema(): string {
  return `${formatJson(buildWatchlistJsonSchema(), "", 0)}\n`;
}

const LINE_WIDTH = 110;

/** `column`: where the value starts on its line, for the fits-on-one-line test. */
function formatJson(value: unknown, indent: string, column: number): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((item) => item === null || typeof item !== "object")) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
      // +1 for a comma that may follow.
      if (column + flat.length + 1 <= LINE_WIDTH) return flat;
    }
    const items = value.map((item) => inner + formatJson(item, inner, inner.length));
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([key, item]) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + formatJson(item, inner, head.length);
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
