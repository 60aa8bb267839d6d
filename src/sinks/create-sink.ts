import type { Dispatcher } from "undici";
import type { Clock } from "../clock.js";
import type { SinkConfig } from "../config/types.js";
import type { Logger } from "../logger.js";
import { createCommandSink } from "./command-sink.js";
import { createConsoleSink } from "./console-sink.js";
import type { Sink } from "./sink.js";
import { createWebhookSink, type WebhookSinkDeps } from "./webhook-sink.js";

export interface SinkDeps {
  logger: Logger;
  /** Shared connection pool for webhooks; each webhook sink opens its own otherwise. */
  dispatcher?: Dispatcher;
  clock?: Clock;
  userAgent?: string;
  /** The environment command sinks inherit; defaults to authwatch's own. */
  env?: NodeJS.ProcessEnv;
}

/** The sink for a resolved config entry; one file per sink type behind the one Sink interface. */
export function createSink(config: SinkConfig, deps: SinkDeps): Sink {
  switch (config.type) {
    case "console":
      return createConsoleSink(config, { logger: deps.logger });
    case "webhook":
      return createWebhookSink(config, webhookDeps(deps));
    case "command":
      return createCommandSink(config, deps.env === undefined ? {} : { env: deps.env });
  }
}

/** exactOptionalPropertyTypes: pass only what was given, never an explicit undefined. */
function webhookDeps(deps: SinkDeps): WebhookSinkDeps {
  const result: WebhookSinkDeps = {};
  if (deps.dispatcher) result.dispatcher = deps.dispatcher;
  if (deps.clock) result.clock = deps.clock;
  if (deps.userAgent !== undefined) result.userAgent = deps.userAgent;
  return result;
}
