import type { Dispatcher } from "undici";
import { createClientPool } from "../api/client-pool.js";
import { NotFoundError, UnauthorizedError } from "../api/errors.js";
import type { ResolvedConfig, Secret, WatchedSession } from "../config/types.js";
import type { ConfigIssue } from "../errors/config-error.js";

export interface CheckSummary {
  sessions: number;
  sinks: number;
  apiKeys: number;
}

/**
 * `check --online`: one request per API key, using the first session that uses it.
 * A 200 or a 404 proves the key is accepted; 401/403 or no answer is an issue. Returns a line per key
 * and the issues, so the caller can show which keys passed even when another failed.
 */
export async function probeKeys(
  config: ResolvedConfig,
  deps: { dispatcher?: Dispatcher } = {},
): Promise<{ lines: string[]; issues: ConfigIssue[] }> {
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
        const message = error instanceof Error ? error.message : String(error);
        const problem =
          error instanceof UnauthorizedError
            ? `${key.source} was refused by the API: ${message}`
            : `could not verify ${key.source}: ${message}`;
        return {
          line: `${key.source}: ${error instanceof UnauthorizedError ? "refused" : "not verified"}`,
          issue: { path: `sessions[${index}]`, message: problem },
        };
      }
    }),
  );
  const issues: ConfigIssue[] = results.flatMap((result) => (result.issue ? [result.issue] : []));
  return { lines: results.map((result) => result.line), issues };
}

export function summarizeConfig(config: ResolvedConfig): CheckSummary {
  const keys = new Set(config.sessions.flatMap((session) => (session.apiKey ? [session.apiKey.source] : [])));
  return { sessions: config.sessions.length, sinks: config.sinks.length, apiKeys: keys.size };
}
