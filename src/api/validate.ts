import { isKnownStatus } from "../types.js";
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
  // NOT_FOUND is authwatch's name for a 404, not something a 200 body can claim.
  const knownStatus = status !== "NOT_FOUND" && isKnownStatus(status);
  return { ok: true, record: { id, type, status, knownStatus } };
}

/** The JSON kind of a value, never the value itself: bodies can be large or odd. */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (value === "") return "empty";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
