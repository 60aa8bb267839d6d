import { parseWatchlist } from "../src/config/parse.js";
import { resolveConfig } from "../src/config/resolve.js";
import type { WatchlistInterval } from "../src/config/schema.js";
import type { ResolvedConfig } from "../src/config/types.js";

export const WORKSPACE_ID = "123e4567-e89b-12d3-a456-426614174000";
export const PROJECT = "bench";
export const API_KEY = "sk-bench-0123456789abcdef";
/** A Standard Webhooks secret (`whsec_` + base64 of 24 bytes). */
export const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

export const sessionId = (prefix: string, index: number) => `${prefix}${index}`;

/** The request path the client sends for one session (base URL path prefix included). */
export function sessionPath(baseUrl: string, prefix: string, index: number): string {
  return pathOfSession(baseUrl, sessionId(prefix, index));
}

export function pathOfSession(baseUrl: string, authSessionId: string): string {
  return `${new URL(baseUrl).pathname}/${WORKSPACE_ID}/projects/${PROJECT}/auth-sessions/${authSessionId}`;
}

export interface BenchConfigOptions {
  baseUrl: string;
  count: number;
  idPrefix: string;
  interval: WatchlistInterval;
  jitter: number;
  concurrency: number;
  maxRequestsPerSecond: number;
  statePath: string;
  /** A signed standard webhook to this URL. */
  webhookUrl?: string;
  /** State in this PostgreSQL database (contract §10) instead of the SQLite file at statePath. */
  postgresUrl?: string;
}

/** The environment a bench daemon resolves its watchlist with. */
export function benchEnv(baseUrl: string): NodeJS.ProcessEnv {
  return { INTUNED_API_BASE_URL: baseUrl, INTUNED_API_KEY: API_KEY, BENCH_WEBHOOK_SECRET: WEBHOOK_SECRET };
}

/** A generated watchlist document (the JSON a user would write), API URL and key left to the environment. */
export function buildBenchWatchlist(options: Omit<BenchConfigOptions, "baseUrl">): Record<string, unknown> {
  const sessions = new Array(options.count);
  for (let i = 0; i < options.count; i++) {
    sessions[i] = { project: PROJECT, id: sessionId(options.idPrefix, i) };
  }
  return {
    api: {
      workspaceId: WORKSPACE_ID,
      timeout: "10s",
      concurrency: options.concurrency,
      maxRequestsPerSecond: options.maxRequestsPerSecond,
    },
    defaults: { interval: options.interval, jitter: options.jitter, failureThreshold: 3 },
    sessions,
    sinks: options.webhookUrl
      ? [{ name: "receiver", type: "webhook", url: options.webhookUrl, secretEnv: "BENCH_WEBHOOK_SECRET" }]
      : [],
    state: options.postgresUrl ? { postgres: { leaseTtl: "3s" } } : options.statePath,
  };
}

/**
 * A generated watchlist, run through the real parse and resolve steps, so every WatchedSession has
 * exactly the shape (and the per-session objects) `authwatch watch` would hold.
 */
export function buildBenchConfig(options: BenchConfigOptions): ResolvedConfig {
  const parsed = parseWatchlist(buildBenchWatchlist(options));
  if (!parsed.ok) throw new Error(`bench watchlist invalid: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
  const env = benchEnv(options.baseUrl);
  if (options.postgresUrl) env.AUTHWATCH_DATABASE_URL = options.postgresUrl;
  return resolveConfig(parsed.value, { env, requireSecrets: true });
}
