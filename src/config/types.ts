import type { EventType, Labels } from "../events.js";
import type { SinkConfig } from "../sinks/kinds.js";
import type { SessionRef } from "../types.js";
import type { SecretProblem } from "./secret-problems.js";

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

/** What a `sessions` entry and a `projects` entry both resolve to: how their sessions are polled and labelled. */
export interface PollSettings {
  labels: Labels;
  /** Undefined only when secrets were not required (history) or not available. */
  apiKey: Secret | undefined;
  intervals: IntervalsMs;
  jitter: number;
  failureThreshold: number;
  schedule: { cron: string; timezone: string | undefined } | undefined;
}

/** One watched session with every default applied. */
export interface WatchedSession extends SessionRef, PollSettings {
  /** sessionKey(ref). */
  key: string;
}

/**
 * One `projects` entry with every default applied: its sessions are found through the list endpoint,
 * and every watched session of the project gets the entry's labels and settings.
 */
export interface WatchedProject extends PollSettings {
  workspaceId: string;
  projectName: string;
  /** projectKey(workspaceId, projectName). */
  key: string;
  /** Globs on session ids; undefined: every session. */
  include: string[] | undefined;
  exclude: string[];
  /** Where the entry is in the watchlist ("projects[2]"), for messages. */
  path: string;
}

export interface SinkMatch {
  project?: string;
  authSessionId?: string;
  labels?: Labels;
}

/** The fields every resolved sink has, whatever its type (src/sinks/*-kind.ts add their own). */
export interface SinkConfigBase {
  name: string;
  /** Undefined: every event type. */
  events: EventType[] | undefined;
  match: SinkMatch | undefined;
  retryWindowMs: number;
}

/** A secret that was read, or why it could not be; `label` names the source in messages. */
export type Found<T> = { ok: true; value: T; label: string } | { ok: false; problem: string };

export type { CommandSinkConfig } from "../sinks/command-kind.js";
export type { ConsoleSinkConfig } from "../sinks/console-kind.js";
export type { SinkConfig } from "../sinks/kinds.js";
export type { WebhookSinkConfig } from "../sinks/webhook-kind.js";

/** An overdue rule of contract §8: `status` held for `forMs`, then a reminder every `repeatMs`. */
export interface AlertRule {
  name: string;
  status: string;
  forMs: number;
  /** Undefined: the overdue event is sent once. */
  repeatMs: number | undefined;
  match: SinkMatch | undefined;
}

/** A recurring silence: opens at each `cron` time in `timezone`, lasts `durationMs`. */
export interface MaintenanceWindow {
  name: string;
  cron: string;
  timezone: string | undefined;
  durationMs: number;
  match: SinkMatch | undefined;
}

export interface HeartbeatConfig {
  /** A secret: dead man's switch URLs carry their token in the path. */
  url: Secret;
  everyMs: number;
}

export interface ResolvedConfig {
  /** Absolute path of the watchlist file, or undefined when running from the environment alone. */
  path: string | undefined;
  api: ResolvedApi;
  /** Default workspace from the watchlist or INTUNED_WORKSPACE_ID. */
  workspaceId: string | undefined;
  /** The default API key (api.apiKeyEnv / apiKeyFile / credential). */
  apiKey: Secret | undefined;
  sessions: WatchedSession[];
  /** `projects` entries; empty when the watchlist has none. */
  projects: WatchedProject[];
  sinks: SinkConfig[];
  /** The SQLite file (unused when `postgres` is set). */
  statePath: string;
  /** Overdue rules (§8); none when absent. */
  alerts?: AlertRule[];
  maintenance?: MaintenanceWindow[];
  heartbeat?: HeartbeatConfig | undefined;
  /**
   * Secrets the watchlist or environment names that could not be read, with what needs each, so a
   * command asks for the ones it uses (secret-problems.ts) and can say which one is missing.
   */
  secretProblems: SecretProblem[];
  /** The variable holding the token of a non-loopback `--listen` (`http.tokenEnv`); default when undefined. */
  httpTokenEnv?: string | undefined;
  /** Set when the state lives in PostgreSQL (contract §10). */
  postgres?: ResolvedPostgres;
}

export interface ResolvedPostgres {
  /** The postgres:// URL: a secret (it may hold a password); log `location` instead. */
  url: Secret;
  /** The URL without its password, for log lines and errors. */
  location: string;
  schema: string;
  leaseTtlMs: number;
}
