import type { Dispatcher } from "undici";
import { createClientPool } from "../api/client-pool.js";
import { NotFoundError, UnauthorizedError } from "../api/errors.js";
import type { ResolvedConfig, Secret, WatchedSession } from "../config/types.js";
import { AuthwatchError } from "../errors/authwatch-error.js";
import type { ErrorCode } from "../errors/codes.js";
import type { ConfigIssue } from "../errors/config-error.js";
import { toErrorInfo } from "../errors/to-error-info.js";

export interface CheckSummary {
  sessions: number;
  sinks: number;
  apiKeys: number;
}

export interface KeyProbes {
  /** One per key, in the order the watchlist first uses them. */
  lines: string[];
  /** Keys the API refused (401/403): the configuration is wrong. */
  refused: ConfigIssue[];
  /** Keys that could not be verified because the API did not answer well: an outage, not a config error. */
  unverified: { code: ErrorCode; message: string }[];
}

/**
 * `check --online`: one request per API key, using the first session that uses it.
 * A 200 or a 404 proves the key is accepted; 401/403 refuses it; no answer (or a 5xx, a 429) leaves
 * it unverified. Returns a line per key and the two kinds of failure apart, so the caller can show
 * which keys passed and tell a wrong key from an outage.
 */
export async function probeKeys(
  config: ResolvedConfig,
  deps: { dispatcher?: Dispatcher } = {},
): Promise<KeyProbes> {
  const pool = createClientPool(config.api, deps.dispatcher ? { dispatcher: deps.dispatcher } : {});
  const firstByKey = new Map<string, { key: Secret; session: WatchedSession; index: number }>();
  config.sessions.forEach((session, index) => {
    if (session.apiKey && !firstByKey.has(session.apiKey.source)) {
      firstByKey.set(session.apiKey.source, { key: session.apiKey, session, index });
    }
  });
  // One request per key, all at once: a slow API costs one timeout, not one per key.
  const results = await Promise.all(
    [...firstByKey.values()].map(async ({ key, session, index }) => {
      try {
        await pool.forKey(key).getAuthSession(session);
        return { line: `${key.source}: accepted` };
      } catch (error) {
        if (error instanceof NotFoundError) {
          return {
            line: `${key.source}: accepted (${session.projectName}/${session.authSessionId} is not found)`,
          };
        }
        const info = toErrorInfo(error);
        if (error instanceof UnauthorizedError) {
          return {
            line: `${key.source}: refused`,
            refused: {
              path: `sessions[${index}]`,
              message: `${key.source} was refused by the API: ${info.message}`,
            },
          };
        }
        const code = error instanceof AuthwatchError ? error.code : "INTERNAL";
        return {
          line: `${key.source}: not verified (${code})`,
          unverified: { code, message: `${key.source}: ${info.message}` },
        };
      }
    }),
  );
  return {
    lines: results.map((result) => result.line),
    refused: results.flatMap((result) => ("refused" in result ? [result.refused] : [])),
    unverified: results.flatMap((result) => ("unverified" in result ? [result.unverified] : [])),
  };
}

export function summarizeConfig(config: ResolvedConfig): CheckSummary {
  const keys = new Set(config.sessions.flatMap((session) => (session.apiKey ? [session.apiKey.source] : [])));
  return { sessions: config.sessions.length, sinks: config.sinks.length, apiKeys: keys.size };
}
