import type { EventType, Labels } from "../events.js";
import type { SessionRef } from "../types.js";

/** Poll intervals in ms per state; `default` serves every status without its own key. */
export interface IntervalsMs {
  PENDING: number;
  READY: number;
  EXPIRED: number;
  NOT_FOUND: number;
  default: number;
}

/** A secret and a non-secret name for it (what logs and errors may show instead). */
export interface Secret {
  /** Where it came from: `env INTUNED_API_KEY`, `file /etc/...`, `credential intuned-api-key`. */
  source: string;
  value: string;
}

export interface ResolvedApi {
  baseUrl: string;
  timeoutMs: number;
  concurrency: number;
  maxRequestsPerSecond: number;
}

/** One watched session with every default applied. */
export interface WatchedSession extends SessionRef {
  /** sessionKey(ref). */
  key: string;
  labels: Labels;
  /** Undefined only when secrets were not required (history) or not available. */
  apiKey: Secret | undefined;
  intervals: IntervalsMs;
  jitter: number;
  failureThreshold: number;
  schedule: { cron: string; timezone: string | undefined } | undefined;
}

export interface SinkMatch {
  project?: string;
  authSessionId?: string;
  labels?: Labels;
}

interface SinkBase {
  name: string;
  /** Undefined: every event type. */
  events: EventType[] | undefined;
  match: SinkMatch | undefined;
  retryWindowMs: number;
}

export interface ConsoleSinkConfig extends SinkBase {
  type: "console";
}

export interface WebhookSinkConfig extends SinkBase {
  type: "webhook";
  format: "standard" | "slack";
  /** May carry a token (Slack): log only `redactUrl(url.value)`. */
  url: Secret;
  /** Decoded bytes of a `whsec_…` secret; unsigned when absent. */
  secret: Uint8Array | undefined;
  timeoutMs: number;
}

export interface CommandSinkConfig extends SinkBase {
  type: "command";
  /** argv[0] resolved against the watchlist folder when relative. */
  command: string[];
  timeoutMs: number;
}

export type SinkConfig = ConsoleSinkConfig | WebhookSinkConfig | CommandSinkConfig;

export interface ResolvedConfig {
  /** Absolute path of the watchlist file, or undefined when running from the environment alone. */
  path: string | undefined;
  api: ResolvedApi;
  /** Default workspace from the watchlist or INTUNED_WORKSPACE_ID. */
  workspaceId: string | undefined;
  /** The default API key (api.apiKeyEnv / apiKeyFile / credential). */
  apiKey: Secret | undefined;
  sessions: WatchedSession[];
  sinks: SinkConfig[];
  statePath: string;
}
