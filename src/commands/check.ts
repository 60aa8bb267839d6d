import type { Dispatcher } from "undici";
import { createClientPool } from "../api/client-pool.js";
import { NotFoundError, UnauthorizedError } from "../api/errors.js";
import type { ResolvedConfig, Secret } from "../config/types.js";
import { AuthwatchError } from "../errors/authwatch-error.js";
import type { ErrorCode } from "../errors/codes.js";
import type { ConfigIssue } from "../errors/config-error.js";
import { toErrorInfo } from "../errors/to-error-info.js";

export interface CheckSummary {
  sessions: number;
  projects: number;
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
  type Probe = { key: Secret; request: () => Promise<unknown>; what: string; path: string };
  const firstByKey = new Map<string, Probe>();
  const client = (key: Secret) => pool.forKey(key);
  config.sessions.forEach((session, index) => {
    if (session.apiKey && !firstByKey.has(session.apiKey.source)) {
      const key = session.apiKey;
      firstByKey.set(key.source, {
        key,
        request: () => client(key).getAuthSession(session),
        what: `${session.projectName}/${session.authSessionId}`,
        path: `sessions[${index}]`,
      });
    }
  });
  // A key only `projects` use is probed with its project's list.
  for (const project of config.projects) {
    const key = project.apiKey;
    if (!key || firstByKey.has(key.source)) continue;
    firstByKey.set(key.source, {
      key,
      request: () => client(key).listAuthSessions(project.workspaceId, project.projectName),
      what: `project ${project.projectName}`,
      path: project.path,
    });
  }
  // One request per key, all at once: a slow API costs one timeout, not one per key.
  const results = await Promise.all(
    [...firstByKey.values()].map(async ({ key, request, what, path }) => {
      try {
        await request();
        return { line: `${key.source}: accepted` };
      } catch (error) {
        if (error instanceof NotFoundError) {
          return { line: `${key.source}: accepted (${what} is not found)` };
        }
        const info = toErrorInfo(error);
        if (error instanceof UnauthorizedError) {
          return {
            line: `${key.source}: refused`,
            refused: {
              path,
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
  const watched = [...config.sessions, ...config.projects];
  const keys = new Set(watched.flatMap((entry) => (entry.apiKey ? [entry.apiKey.source] : [])));
  return {
    sessions: config.sessions.length,
    projects: config.projects.length,
    sinks: config.sinks.length,
    apiKeys: keys.size,
  };
}
