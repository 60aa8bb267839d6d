/**
 * The watchlist document of contract §2 as a zod schema: the one source of the raw watchlist
 * types, of the validation, and of the published watchlist.schema.json. It holds what a single
 * value can get wrong; rules that span several values (duplicates, "x or y") live in parse.ts.
 * No transforms: the parsed value keeps the document's shape, and resolve.ts turns it into
 * milliseconds and absolute paths.
 */
import { validateCronExpression } from "cron";
import { z } from "zod";
import { DURATION_HINT, formatDuration, parseDuration } from "../duration.js";
import { EVENT_TYPES } from "../events.js";

/** The string forms parseDuration accepts, without the surrounding whitespace it forgives on the command line. */
export const DURATION_PATTERN = /^(\d+|\d+(\.\d+)?(ms|s|m|h|d))$/;
/** The spec's pattern for AuthSession ids (minLength 3). */
export const AUTH_SESSION_ID_PATTERN = /^[a-zA-Z0-9-(),_]+$/;
/**
 * Jitter above one half would let a poll land almost at once after the previous one, and at 1
 * the spread reaches zero: half an interval either way is already a wide spread.
 */
export const MAX_JITTER = 0.5;
/** Node timers fire at once beyond 2^31-1 ms (~24.8 days), so waits are capped below that. */
export const MAX_TIMER_MS = 24 * 86_400_000;

/** A variable name, and not a webhook secret pasted in its place (errors name variables, never secrets). */
const ENV_NAME_PATTERN = /^(?!whsec_)[A-Za-z_][A-Za-z0-9_]*$/;
const UUID_EXAMPLE = "123e4567-e89b-12d3-a456-426614174000";

const mustBeDuration = `must be ${DURATION_HINT}`;

/** Any duration, zero included (a retry window of 0 means "never retry"). */
const anyDuration = z
  .union(
    [
      z.string({ error: mustBeDuration }).regex(DURATION_PATTERN, { error: mustBeDuration }),
      z.number({ error: mustBeDuration }).int({ error: mustBeDuration }).min(0, { error: mustBeDuration }),
    ],
    { error: mustBeDuration },
  )
  .meta({
    id: "duration",
    description: 'A duration: "500ms", "10s", "5m", "1h", "1d", or integer milliseconds.',
  });

/** Poll intervals and timeouts: zero would spin, and more than MAX_TIMER_MS would overflow a timer. */
const waitDuration = anyDuration.refine(
  (value) => {
    // Not a duration at all: the union already said so.
    const ms = parseDuration(value);
    return ms === undefined || (ms >= 1 && ms <= MAX_TIMER_MS);
  },
  { error: `must be between 1ms and ${formatDuration(MAX_TIMER_MS)}` },
);

const uuid = z.guid({ error: `must be a UUID like "${UUID_EXAMPLE}"` });

const httpUrl = z.url({
  protocol: /^https?$/,
  error: "must be an http:// or https:// URL",
});

const envName = z.string().regex(ENV_NAME_PATTERN, {
  // Someone who pastes the secret itself here gets a pointed hint; the value is never echoed.
  error: (issue) =>
    typeof issue.input === "string" && /^(whsec_|https?:)/.test(issue.input)
      ? 'must name the environment variable that holds the secret (like "SLACK_WEBHOOK_URL"), not the secret itself'
      : 'must be the name of an environment variable, like "INTUNED_API_KEY"',
});

const filePath = z.string().min(1, { error: "must be a non-empty file path" });

const labels = z.record(z.string().min(1, { error: "label names must not be empty" }), z.string(), {
  error: 'must be an object of string labels, like {"team": "growth"}',
});

const jitter = z
  .number({ error: `must be a number from 0 to ${MAX_JITTER}` })
  .min(0, { error: `must be a number from 0 to ${MAX_JITTER}` })
  .max(MAX_JITTER, { error: `must be a number from 0 to ${MAX_JITTER}` });

const positiveInt = z.number().int().min(1, { error: "must be an integer of at least 1" });

export const INTERVAL_KEYS = ["PENDING", "READY", "EXPIRED", "NOT_FOUND", "default"] as const;

const intervalObject = z.strictObject(
  {
    PENDING: waitDuration.optional(),
    READY: waitDuration.optional(),
    EXPIRED: waitDuration.optional(),
    NOT_FOUND: waitDuration.optional(),
    default: waitDuration.optional().meta({ description: "For every status without its own key." }),
  },
  { error: `must be a duration or an object with the keys ${INTERVAL_KEYS.join(", ")}` },
);

const interval = z
  .union([waitDuration, intervalObject], {
    error: `must be ${DURATION_HINT}, or an object with the keys ${INTERVAL_KEYS.join(", ")}`,
  })
  .meta({
    id: "interval",
    description:
      "Time between polls: one duration for every status, or one per status (PENDING, READY, EXPIRED, NOT_FOUND); " +
      "a missing status falls back to `default`.",
  });

const cron = z.string().superRefine((expression, context) => {
  const result = validateCronExpression(expression);
  if (result.valid) return;
  const reason = result.error instanceof Error ? `: ${result.error.message}` : "";
  context.addIssue({
    code: "custom",
    message: `must be a cron expression like "*/5 9-17 * * 1-5" (minute hour day month weekday)${reason}`,
  });
});

const timezone = z.string().refine(isTimeZone, { error: 'must be an IANA time zone like "Europe/Berlin"' });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const pollSettings = {
  interval: interval.optional(),
  jitter: jitter.optional().meta({
    description: `Spread of each poll, ± this fraction of the interval (0 to ${MAX_JITTER}). Default 0.1.`,
  }),
  failureThreshold: positiveInt
    .optional()
    .meta({ description: "Consecutive failed polls before authsession.poll_failing. Default 3." }),
};

const session = z.strictObject({
  project: z
    .string()
    .regex(/^[^/]+$/, { error: 'must be a non-empty project name without "/"' })
    .meta({ description: "The Intuned project name." }),
  id: z
    .string()
    .min(3, { error: "must be at least 3 characters long" })
    .regex(AUTH_SESSION_ID_PATTERN, { error: "must contain only letters, digits and - ( ) , _" })
    .meta({ description: "The AuthSession id." }),
  workspaceId: uuid.optional().meta({ description: "Overrides api.workspaceId for this session." }),
  labels: labels
    .optional()
    .meta({ description: "Copied into every event of this session; sinks can match on them." }),
  apiKeyEnv: envName.optional().meta({ description: "Variable holding this session's API key." }),
  apiKeyFile: filePath.optional().meta({ description: "File holding this session's API key." }),
  ...pollSettings,
  schedule: cron
    .optional()
    .meta({ description: "Poll on a cron schedule (minute hour day month weekday) instead of an interval." }),
  timezone: timezone.optional().meta({ description: "Time zone of `schedule`. Default: the system's." }),
});

const api = z.strictObject({
  baseUrl: httpUrl.optional().meta({
    description:
      "Default https://app.intuned.io/api/v1/workspace; the variable INTUNED_API_BASE_URL overrides it.",
  }),
  workspaceId: uuid.optional().meta({
    description: "Default workspace of every session; the variable INTUNED_WORKSPACE_ID overrides it.",
  }),
  apiKeyEnv: envName
    .optional()
    .meta({ description: "Variable holding the API key. Default INTUNED_API_KEY." }),
  apiKeyFile: filePath.optional().meta({ description: "File holding the API key (instead of apiKeyEnv)." }),
  timeout: waitDuration.optional().meta({ description: "Per request. Default 10s." }),
  concurrency: positiveInt
    .optional()
    .meta({ description: "Requests in flight at once, all sessions together. Default 8." }),
  maxRequestsPerSecond: z
    .number()
    .positive({ error: "must be a number greater than 0" })
    .optional()
    .meta({ description: "Shared budget for all polls of one API key. Default 10." }),
});

const defaults = z.strictObject(pollSettings);

const eventType = z
  .enum(EVENT_TYPES, { error: `must be an event type: ${EVENT_TYPES.join(", ")}` })
  .meta({ id: "eventType" });

const sinkBase = {
  name: z
    .string()
    .min(1, { error: "must be a non-empty string" })
    .meta({ description: "Unique among the sinks." }),
  events: z
    .array(eventType)
    .min(1, { error: "must list at least one event type (leave it out for every type)" })
    .optional()
    .meta({ description: "Event types this sink receives. Default: all." }),
  match: z
    .strictObject({
      project: z.string().optional(),
      authSessionId: z.string().optional(),
      labels: labels.optional(),
    })
    .optional()
    .meta({ description: "Only events of sessions matching all of these." }),
  retry: z
    .strictObject({
      window: anyDuration.meta({ description: "How long a failing delivery is retried. Default 24h." }),
    })
    .optional(),
};

const consoleSink = z.strictObject({ type: z.literal("console"), ...sinkBase });

const webhookSink = z.strictObject({
  type: z.literal("webhook"),
  ...sinkBase,
  url: httpUrl.optional().meta({ description: "Where to POST. Set this or urlEnv." }),
  urlEnv: envName.optional().meta({ description: "Variable holding the URL (for URLs that carry a token)." }),
  format: z
    .enum(["standard", "slack"], { error: 'must be "standard" or "slack"' })
    .optional()
    .meta({ description: "standard: the event body, signed (default). slack: a message for people." }),
  secretEnv: envName.optional().meta({ description: 'Variable holding the signing secret ("whsec_…").' }),
  secretFile: filePath.optional().meta({ description: 'File holding the signing secret ("whsec_…").' }),
  timeout: waitDuration.optional().meta({ description: "Per attempt. Default 10s." }),
});

const commandSink = z.strictObject({
  type: z.literal("command"),
  ...sinkBase,
  command: z
    .array(z.string().min(1, { error: "must be a non-empty string" }), {
      error: 'must be an array of strings: the program and its arguments, like ["/usr/local/bin/reauth.sh"]',
    })
    .min(1, { error: "must name at least the program to run" })
    .meta({ description: "Program and arguments (no shell); the event JSON arrives on stdin." }),
  timeout: waitDuration.optional().meta({ description: "Per run. Default 30s." }),
});

export const SINK_TYPES = ["console", "webhook", "command"] as const;

const sink = z.discriminatedUnion("type", [consoleSink, webhookSink, commandSink], {
  error: `must be a sink object whose "type" is one of ${SINK_TYPES.map((t) => `"${t}"`).join(", ")}`,
});

export const watchlistSchema = z
  .strictObject(
    {
      $schema: z.string().optional().meta({ description: 'For editors: "./watchlist.schema.json".' }),
      api: api
        .optional()
        .meta({ description: "How to reach the Intuned API; the environment overrides it." }),
      defaults: defaults.optional().meta({ description: "Poll settings every session inherits." }),
      sessions: z
        .array(session, { error: "must be an array of sessions" })
        .optional()
        .meta({ description: "The AuthSessions to watch; each (workspace, project, id) once." }),
      sinks: z
        .array(sink, { error: "must be an array of sinks" })
        .optional()
        .meta({ description: "Where events go: console, webhook or command; names unique." }),
      state: filePath.optional().meta({
        description:
          "State database; relative to this file. Default ./.authwatch/state.db, or $STATE_DIRECTORY/state.db under systemd; " +
          "the variable AUTHWATCH_STATE overrides it.",
      }),
    },
    { error: "must be a JSON object" },
  )
  .meta({
    title: "authwatch watchlist",
    description: "The AuthSessions authwatch watches, and where its events go.",
  });

export type Watchlist = z.infer<typeof watchlistSchema>;
export type WatchlistApi = NonNullable<Watchlist["api"]>;
export type WatchlistDefaults = NonNullable<Watchlist["defaults"]>;
export type WatchlistSession = NonNullable<Watchlist["sessions"]>[number];
export type WatchlistSink = NonNullable<Watchlist["sinks"]>[number];
export type WatchlistInterval = NonNullable<WatchlistSession["interval"]>;
export type WatchlistDuration = string | number;
