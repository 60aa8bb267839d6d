import { NOT_FOUND } from "../types.js";
import type { AuthSessionRecord } from "./types.js";

export type ParseAuthSessionResult = { ok: true; record: AuthSessionRecord } | { ok: false; reason: string };

const REQUIRED = ["id", "type", "status"] as const;

/**
 * Checks a decoded 200 body against the getAuthSession shape. Hand-written rather than zod because it
 * runs on every poll and needs only three string checks. Extra properties are allowed (the API may add
 * some); unknown `type` and `status` strings are kept as-is so a new API value never crashes a watcher.
 */
export function parseAuthSessionBody(body: unknown): ParseAuthSessionResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, reason: "body is not a JSON object" };
  }
  const fields = body as Record<string, unknown>;
  for (const name of REQUIRED) {
    const value = fields[name];
    if (typeof value !== "string" || value === "") {
      return { ok: false, reason: `\`${name}\` is ${describe(value)}, expected a non-empty string` };
    }
  }
  const { id, type, status } = fields as Record<(typeof REQUIRED)[number], string>;
  return { ok: true, record: { id, type, status: status === NOT_FOUND ? NOT_FOUND_IN_BODY : status } };
}

/**
 * What a 200 body claiming `"status": "NOT_FOUND"` is kept as. NOT_FOUND is authwatch's name for a
 * 404; a body cannot claim it (that would announce authsession.not_found for a session the API just
 * returned), so the word is kept visibly distinct and treated like any unknown status.
 */
export const NOT_FOUND_IN_BODY = "NOT_FOUND (in a 200 body)";

/** The JSON kind of a value, never the value itself: bodies can be large or odd. */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (value === "") return "empty";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

export type ParseAuthSessionListResult =
  | { ok: true; records: AuthSessionRecord[] }
  | { ok: false; reason: string };

/**
 * Checks a decoded list body: an array of AuthSession items. One bad item, or one id listed twice,
 * makes the whole list invalid: acting on the rest would turn the bad one NOT_FOUND, an event the
 * API never meant.
 */
export function parseAuthSessionList(body: unknown): ParseAuthSessionListResult {
  if (!Array.isArray(body)) return { ok: false, reason: "body is not a JSON array" };
  const records: AuthSessionRecord[] = new Array(body.length);
  const seen = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    const parsed = parseAuthSessionBody(body[i]);
    if (!parsed.ok)
      return { ok: false, reason: `item [${i}]: ${parsed.reason.replace("body is", "item is")}` };
    if (seen.has(parsed.record.id)) return { ok: false, reason: `item [${i}]: id listed twice` };
    seen.add(parsed.record.id);
    records[i] = parsed.record;
  }
  return { ok: true, records };
}
