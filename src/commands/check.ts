import type { Dispatcher } from "undici";
import { createClientPool } from "../api/client-pool.js";
import { NotFoundError, UnauthorizedError } from "../api/errors.js";
import type { ResolvedConfig, Secret, WatchedSession } from "../config/types.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";

export interface CheckSummary {
  sessions: number;
  sinks: number;
  apiKeys: number;
  /** One line per key probed with --online. */
  online: string[];
}

/**
 * `check --online`: one request per API key, using the first session that uses it.
 * A 200 or a 404 proves the key is accepted; 401/403 or no answer is an issue.
 */
export async function probeKeys(
  config: ResolvedConfig,
  deps: { dispatcher?: Dispatcher } = {},
): Promise<string[]> {
  const pool = createClientPool(config.api, deps.dispatcher ? { dispatcher: deps.dispatcher } : {});
  const firstByKey = new Map<string, { key: Secret; session: WatchedSession; index: number }>();
  config.sessions.forEach((session, index) => {
    if (session.apiKey && !firstByKey.has(session.apiKey.source)) {
      firstByKey.set(session.apiKey.source, { key: session.apiKey, session, index });
    }
  });
  const lines: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const { key, session, index } of firstByKey.values()) {
    try {
      await pool.forKey(key).getAuthSession(session);
      lines.push(`${key.source}: accepted`);
    } catch (error) {
      if (error instanceof NotFoundError) {
        lines.push(`${key.source}: accepted (${session.projectName}/${session.authSessionId} is not found)`);
      } else if (error instanceof UnauthorizedError) {
        issues.push({
          path: `sessions[${index}]`,
          message: `${key.source} was refused by the API: ${error.message}`,
        });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        issues.push({ path: `sessions[${index}]`, message: `could not verify ${key.source}: ${message}` });
      }
    }
  }
  if (issues.length > 0) throw new ConfigError("check --online", issues);
  return lines;
}

export function summarizeConfig(config: ResolvedConfig): CheckSummary {
  const keys = new Set(config.sessions.flatMap((session) => (session.apiKey ? [session.apiKey.source] : [])));
  return { sessions: config.sessions.length, sinks: config.sinks.length, apiKeys: keys.size, online: [] };
}
