/**
 * Missing secrets kept as data: resolution records each one with what needs it, and each command
 * asks only for what it uses (`status` and `wait` the API keys, `history` nothing, `watch` and
 * `check` everything).
 */
import type { ConfigIssue } from "../errors/config-error.js";

/** What a secret is for. */
export type SecretUse =
  /** The key of sessions without their own; `inUse` when a watched session (or none at all) relies on it. */
  | { kind: "default-api-key"; inUse: boolean }
  | { kind: "session-api-key"; session: number }
  | { kind: "project-api-key"; project: number }
  | { kind: "sink"; sink: number }
  /** The heartbeat's URL (watch only). */
  | { kind: "heartbeat" };

/** A secret the configuration names that could not be read, with its JSON path and why. */
export interface SecretProblem extends ConfigIssue {
  use: SecretUse;
}

/**
 * Which secrets a command needs: `true` every one in use (watch, check), `"api-keys"` only the keys
 * its polls use (status), `false` none (history; wait asks per session).
 */
export type SecretNeeds = boolean | "api-keys";

export function isNeeded(use: SecretUse, needs: SecretNeeds): boolean {
  if (needs === false) return false;
  if (use.kind === "default-api-key") return use.inUse;
  return use.kind === "session-api-key" || use.kind === "project-api-key" || needs === true;
}
