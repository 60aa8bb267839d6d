/**
 * The watchlist document of docs/watchlist.md as a zod schema: the one source of the raw watchlist
 * types, of the validation, and of the published watchlist.schema.json. It holds what a single
 * value can get wrong; rules that span several values (duplicates, "x or y") live in parse.ts.
 * No transforms: the parsed value keeps the document's shape, and resolve.ts turns it into
 * milliseconds and absolute paths.
 */
import { validateCronExpression } from "cron";
import { z } from "zod";
import { DURATION_HINT, formatDuration, parseDuration } from "../duration.js";
import { SCHEMA_NAME_PATTERN } from "../postgres/schema-name.js";
import { SINK_SCHEMAS, SINK_TYPES } from "../sinks/kinds.js";
import { anyDuration, envName, filePath, httpUrl, keyRules, labels, waitDuration } from "./schema-parts.js";

export { SINK_TYPES } from "../sinks/kinds.js";
export { DURATION_PATTERN, MAX_TIMER_MS } from "./schema-parts.js";

/** The spec's pattern for AuthSession ids (minLength 3). */
export const AUTH_SESSION_ID_PATTERN = /^[a-zA-Z0-9-(),_]+$/;
/**
 * Jitter above one half would let a poll land almost at once after the previous one, and at 1
 * the spread reaches zero: half an interval either way is already a wide spread.
 */
export const MAX_JITTER = 0.5;
const UUID_EXAMPLE = "123e4567-e89b-12d3-a456-426614174000";

const uuid = z.guid({ error: `must be a UUID like "${UUID_EXAMPLE}"` });

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

/** A glob on session ids: the id characters plus `*` (any run) and `?` (one character). */
export const ID_GLOB_PATTERN = /^[a-zA-Z0-9-(),_*?]+$/;

const idGlobs = z
  .array(
    z.string().regex(ID_GLOB_PATTERN, {
      error:
        'must be a glob on session ids: letters, digits, - ( ) , _ and the wildcards * and ?, like "user-*"',
    }),
    { error: 'must be an array of globs, like ["user-*"]' },
  )
  .min(1, { error: "must list at least one glob (leave it out to include every session)" });

const project = z.strictObject({
  project: session.shape.project,
  include: idGlobs.optional().meta({
    description: "Watch only sessions whose id matches one of these globs (* and ?). Default: all.",
  }),
  exclude: idGlobs
    .optional()
    .meta({ description: "Leave out sessions whose id matches one of these globs." }),
  workspaceId: uuid.optional().meta({ description: "Overrides api.workspaceId for this project." }),
  labels: labels
    .optional()
    .meta({ description: "Copied into every event of the project's sessions; sinks can match on them." }),
  apiKeyEnv: envName.optional().meta({ description: "Variable holding this project's API key." }),
  apiKeyFile: filePath.optional().meta({ description: "File holding this project's API key." }),
  ...pollSettings,
  schedule: session.shape.schedule,
  timezone: session.shape.timezone,
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

const http = z.strictObject({
  tokenEnv: envName.optional().meta({
    description:
      "Variable holding the token a non-loopback --listen requires (Bearer, or the Basic password). Default AUTHWATCH_HTTP_TOKEN.",
  }),
});

const sink = z.discriminatedUnion("type", SINK_SCHEMAS, {
  error: `must be a sink object whose "type" is one of ${SINK_TYPES.map((t) => `"${t}"`).join(", ")}`,
});

/** Which sessions an alert rule, a maintenance window or a silence covers: all of these must hold. */
const sessionMatch = z
  .strictObject({
    project: z.string().min(1, { error: "must be a non-empty project name" }).optional(),
    authSessionId: z.string().min(1, { error: "must be a non-empty session id" }).optional(),
    labels: labels.optional(),
  })
  .meta({ description: "Only sessions matching all of these (project, authSessionId, labels)." });

/** Silences and windows must end; a month is the longest any of them may last. */
export const MAX_SILENCE_MS = 30 * 86_400_000;

const alertName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error: 'must be a name of letters, digits, . _ - (like "stuck-pending")',
});

export const ALERT_STATUSES = ["PENDING", "READY", "EXPIRED", "NOT_FOUND"] as const;

const alertRule = z.strictObject({
  name: alertName.meta({ description: "Unique among the rules; carried as `rule` in the events." }),
  status: z
    .enum(ALERT_STATUSES, { error: `must be one of ${ALERT_STATUSES.join(", ")}` })
    .meta({ description: "The status that must hold." }),
  for: waitDuration.meta({ description: "How long the status must hold (from its persisted since)." }),
  repeat: waitDuration
    .optional()
    .meta({ description: "A reminder every this long while the status holds. Default: once." }),
  match: sessionMatch.optional(),
});

const silenceLength = anyDuration.refine(
  (value) => {
    const ms = parseDuration(value);
    return ms === undefined || (ms >= 1_000 && ms <= MAX_SILENCE_MS);
  },
  { error: `must be between 1s and ${formatDuration(MAX_SILENCE_MS)}` },
);

const maintenanceWindow = z.strictObject({
  name: alertName.meta({ description: "Unique among the windows." }),
  schedule: cron.meta({ description: "When each window opens (minute hour day month weekday)." }),
  duration: silenceLength.meta({ description: "How long each window lasts (at most 30 days)." }),
  timezone: timezone.optional().meta({ description: "Time zone of `schedule`. Default: the system's." }),
  match: sessionMatch.optional(),
});

const heartbeat = z.strictObject({
  url: httpUrl
    .optional()
    .meta({ description: "URL to GET (Healthchecks.io, Cronitor…). Set this or urlEnv." }),
  urlEnv: envName.optional().meta({ description: "Variable holding the URL (it usually carries a token)." }),
  every: waitDuration.meta({ description: "Time between two GETs." }),
});

/** Contract §10: the state in PostgreSQL, shared by any number of `watch` processes. */
const postgresState = z.strictObject({
  postgres: z.strictObject({
    urlEnv: envName.optional().meta({
      description: "The variable holding the postgres:// URL (a secret). Default AUTHWATCH_DATABASE_URL.",
    }),
    schema: z
      .string()
      .regex(SCHEMA_NAME_PATTERN, { error: "must be a lower-case SQL identifier (letters, digits, _)" })
      .optional()
      .meta({ description: 'The schema authwatch creates and uses. Default "authwatch".' }),
    leaseTtl: waitDuration.optional().meta({
      description: "How long the leader's lease lasts; a standby takes over within two. Default 15s.",
    }),
  }),
});

/**
 * Rules between keys that JSON Schema can state, so editors flag them as parse.ts would: one key
 * source, an interval or a schedule, a time zone only with a schedule, one heartbeat URL.
 */
const pollTargetRules = keyRules({
  notBoth: [
    ["apiKeyEnv", "apiKeyFile"],
    ["interval", "schedule"],
  ],
  requires: { timezone: "schedule" },
});

export const watchlistSchema = z
  .strictObject(
    {
      $schema: z.string().optional().meta({ description: 'For editors: "./watchlist.schema.json".' }),
      api: api
        .meta(keyRules({ notBoth: [["apiKeyEnv", "apiKeyFile"]] }))
        .optional()
        .meta({ description: "How to reach the Intuned API; the environment overrides it." }),
      defaults: defaults.optional().meta({ description: "Poll settings every session inherits." }),
      sessions: z
        .array(session.meta(pollTargetRules), { error: "must be an array of sessions" })
        .optional()
        .meta({ description: "The AuthSessions to watch; each (workspace, project, id) once." }),
      projects: z
        .array(project.meta(pollTargetRules), { error: "must be an array of projects" })
        .optional()
        .meta({
          description:
            "Whole projects to watch with one list request per poll; sessions that appear are watched, " +
            "those that disappear become NOT_FOUND. Each (workspace, project) once.",
        }),
      sinks: z
        .array(sink, { error: "must be an array of sinks" })
        .optional()
        .meta({ description: "Where events go: console, webhook or command; names unique." }),
      alerts: z.array(alertRule, { error: "must be an array of alert rules" }).optional().meta({
        description: "Overdue rules: authsession.overdue when a status holds too long; names unique.",
      }),
      maintenance: z
        .array(maintenanceWindow, { error: "must be an array of maintenance windows" })
        .optional()
        .meta({ description: "Recurring silences: cron schedule + duration + match; names unique." }),
      heartbeat: heartbeat
        .meta(keyRules({ exactlyOne: [["url", "urlEnv"]] }))
        .optional()
        .meta({ description: "A GET of a dead man's switch URL every `every` while the daemon is healthy." }),
      http: http.optional().meta({ description: "The status server of `watch --listen`." }),
      state: z
        .union([filePath, postgresState], {
          error: 'must be a file path or {"postgres": {"urlEnv": …, "schema": …, "leaseTtl": …}}',
        })
        .optional()
        .meta({
          description:
            "State database; relative to this file. Default ./.authwatch/state.db, or $STATE_DIRECTORY/state.db under systemd; " +
            'or {"postgres": {…}} for several instances sharing PostgreSQL (HA). The variable AUTHWATCH_STATE overrides it ' +
            "(a file path, or a postgres:// URL).",
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
export type WatchlistProject = NonNullable<Watchlist["projects"]>[number];
export type WatchlistSink = NonNullable<Watchlist["sinks"]>[number];
export type WatchlistInterval = NonNullable<WatchlistSession["interval"]>;
export type WatchlistDuration = string | number;
export type WatchlistAlertRule = NonNullable<Watchlist["alerts"]>[number];
export type WatchlistMaintenance = NonNullable<Watchlist["maintenance"]>[number];
export type WatchlistHeartbeat = NonNullable<Watchlist["heartbeat"]>;
export type WatchlistMatch = NonNullable<WatchlistAlertRule["match"]>;
