import type { WatchlistSink } from "../config/schema.js";
import type { Secret } from "../config/types.js";
import { type CommandSinkConfig, commandKind } from "./command-kind.js";
import { type ConsoleSinkConfig, consoleKind } from "./console-kind.js";
import { type EmailSinkConfig, emailKind } from "./email-kind.js";
import { type PagerDutySinkConfig, pagerDutyKind } from "./pagerduty-kind.js";
import type { SinkKind } from "./sink-kind.js";
import { type WebhookSinkConfig, webhookKind } from "./webhook-kind.js";

export const SINK_TYPES = ["console", "webhook", "command", "pagerduty", "email"] as const;
export type SinkType = (typeof SINK_TYPES)[number];

/**
 * Every sink type, registered where the compiler checks that each has the whole SinkKind. Adding a
 * sink type is one `*-kind.ts` module, one entry here and in SINK_SCHEMAS, and its config in SinkConfig.
 */
export const SINK_KINDS = {
  console: consoleKind,
  webhook: webhookKind,
  command: commandKind,
  pagerduty: pagerDutyKind,
  email: emailKind,
} satisfies {
  [T in SinkType]: SinkKind<Extract<WatchlistSink, { type: T }>, Extract<SinkConfig, { type: T }>>;
};

/** The watchlist schemas of the kinds, for the discriminated union in config/schema.ts. */
export const SINK_SCHEMAS = [
  consoleKind.schema,
  webhookKind.schema,
  commandKind.schema,
  pagerDutyKind.schema,
  emailKind.schema,
] as const;

export type SinkConfig =
  | ConsoleSinkConfig
  | WebhookSinkConfig
  | CommandSinkConfig
  | PagerDutySinkConfig
  | EmailSinkConfig;

/**
 * The kind of a resolved config. TypeScript cannot correlate `SINK_KINDS[config.type]` with
 * `config` by itself; the map's `satisfies` is what guarantees each entry takes its own type.
 */
export function kindOf(config: SinkConfig): SinkKind<unknown, SinkConfig> {
  return SINK_KINDS[config.type] as unknown as SinkKind<unknown, SinkConfig>;
}

/** Every secret the sinks hold, for scrubbing child environments. */
export function sinkSecrets(configs: readonly SinkConfig[]): Secret[] {
  return configs.flatMap((config) => kindOf(config).secrets(config));
}
