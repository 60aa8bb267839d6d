import type { Dispatcher } from "undici";
import type { z } from "zod";
import type { Clock } from "../clock.js";
import type { WatchlistDuration } from "../config/schema.js";
import type { Found, Secret, SinkConfigBase } from "../config/types.js";
import type { Logger } from "../logger.js";
import type { Sink } from "./sink.js";

/** What resolve.ts lends a sink kind to turn its watchlist entry into a resolved config. */
export interface SinkResolveContext {
  /** The folder relative watchlist paths resolve against. */
  base: string;
  /** False for commands that deliver nothing (history): a missing secret is then no issue. */
  requireSecrets: boolean;
  issue(path: string, message: string): void;
  durationMs(value: WatchlistDuration | undefined, path: string): number | undefined;
  readEnvSecret(name: string): Found<Secret>;
  /** Relative to the watchlist's folder. */
  readFileSecret(file: string): Found<Secret>;
  /** The value, or (when secrets are required) an issue at `path` saying why it is missing. */
  take<T>(found: Found<T>, path: string): T | undefined;
}

export interface SinkDeps {
  logger: Logger;
  /** Shared connection pool for HTTP sinks; each opens its own otherwise. */
  dispatcher?: Dispatcher;
  clock?: Clock;
  userAgent?: string;
  /** The environment command sinks inherit; defaults to authwatch's own. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Everything about one sink type, in one module (Gatus' provider, Alertmanager's notifier): the
 * watchlist schema of its entry, how the entry resolves (secrets read, defaults applied), what
 * identifies its destination, which values are secrets, and the Sink that delivers.
 */
export interface SinkKind<Raw, Config extends SinkConfigBase> {
  /** The zod object of its watchlist entry; `type` is its literal. */
  readonly schema: z.ZodType<Raw>;
  /** Undefined when the entry cannot deliver anything (its URL unreadable); issues go to the context. */
  resolve(raw: Raw, base: SinkConfigBase, context: SinkResolveContext, path: string): Config | undefined;
  /**
   * What decides where and how it delivers. A sink disabled by HTTP 410 stays disabled until this
   * changes; filters, timeouts and secrets that do not pick the destination stay out.
   */
  fingerprint(config: Config): unknown[];
  /** Values that must never reach a command sink's environment, a log line or an outcome. */
  secrets(config: Config): Secret[];
  create(config: Config, deps: SinkDeps): Sink;
}
