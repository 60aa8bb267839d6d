/**
 * Turns a parsed watchlist (or none) plus the environment into the ResolvedConfig every command
 * uses: defaults applied, durations in ms, paths absolute, secrets read. Precedence is
 * environment > watchlist > built-in (command-line flags are applied by the commands on top).
 * It reads secret files, so it is not pure; `readFile` is injectable for tests.
 */
import { dirname, join, resolve } from "node:path";
import { parseDuration } from "../duration.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { createIdFilter } from "../projects/id-filter.js";
import { COMMAND_TIMEOUT_MS } from "../sinks/command-kind.js";
import { SINK_KINDS } from "../sinks/kinds.js";
import type { SinkKind, SinkResolveContext } from "../sinks/sink-kind.js";
import { WEBHOOK_TIMEOUT_MS, webhookUrl } from "../sinks/webhook-kind.js";
import { normalizeWorkspaceId, projectKey, type SessionRef, sessionKey, UUID_PATTERN } from "../types.js";
import { isHttpUrl } from "../util/is-http-url.js";
import { resolvePostgresState } from "./resolve-postgres.js";
import type {
  Watchlist,
  WatchlistAlertRule,
  WatchlistDefaults,
  WatchlistDuration,
  WatchlistHeartbeat,
  WatchlistInterval,
  WatchlistMaintenance,
  WatchlistMatch,
  WatchlistSession,
  WatchlistSink,
} from "./schema.js";
import { isNeeded, type SecretNeeds, type SecretProblem, type SecretUse } from "./secret-problems.js";
import { API_KEY_CREDENTIAL, createSecretReader, envValue, type SecretReader } from "./secrets.js";
import type {
  AlertRule,
  Found,
  HeartbeatConfig,
  IntervalsMs,
  MaintenanceWindow,
  PollSettings,
  ResolvedConfig,
  Secret,
  SinkConfig,
  SinkMatch,
  WatchedProject,
  WatchedSession,
} from "./types.js";

export { API_KEY_CREDENTIAL } from "./secrets.js";

export const DEFAULT_API_BASE_URL = "https://app.intuned.io/api/v1/workspace";
export const DEFAULT_API_KEY_ENV = "INTUNED_API_KEY";

/** READY has no built-in value of its own: it is `default`. */
export const BUILT_IN_INTERVALS: Readonly<IntervalsMs> = {
  PENDING: 10_000,
  READY: 60_000,
  EXPIRED: 300_000,
  NOT_FOUND: 300_000,
  default: 60_000,
};

export const BUILT_IN = {
  jitter: 0.1,
  failureThreshold: 3,
  apiTimeoutMs: 10_000,
  concurrency: 8,
  maxRequestsPerSecond: 10,
  webhookTimeoutMs: WEBHOOK_TIMEOUT_MS,
  commandTimeoutMs: COMMAND_TIMEOUT_MS,
  retryWindowMs: 86_400_000,
  statePath: ".authwatch/state.db",
} as const;

export interface ResolveOptions {
  /** The watchlist file; its folder anchors relative paths. */
  path?: string | undefined;
  env: NodeJS.ProcessEnv;
  /**
   * Which unreadable secrets are issues (and make the call throw): true every one in use,
   * "api-keys" the API keys, false none. All of them are returned in `secretProblems` either way.
   */
  requireSecrets: SecretNeeds;
  readFile?: ((path: string) => string) | undefined;
  /** Anchors relative paths when there is no watchlist file, and AUTHWATCH_STATE. Default process.cwd(). */
  cwd?: string | undefined;
  /** Command-line flags: they beat the environment and the watchlist. */
  flags?: ResolveFlags | undefined;
}

export interface ResolveFlags {
  /** `--workspace`: the default workspace. */
  workspaceId?: string | undefined;
  /** `--state`: the state file (relative to the cwd). */
  statePath?: string | undefined;
  /** `check --credentials-directory`: see SecretSources. */
  credentialsDirectory?: string | undefined;
}

interface Context {
  /** The folder relative watchlist paths resolve against. */
  base: string;
  env: NodeJS.ProcessEnv;
  requireSecrets: SecretNeeds;
  secrets: SecretReader;
  issues: ConfigIssue[];
  secretProblems: SecretProblem[];
}

const STATUS_KEYS = ["PENDING", "READY", "EXPIRED", "NOT_FOUND"] as const;

/**
 * Throws ConfigError listing every issue at once (missing secrets too when `requireSecrets`); never
 * puts a secret value in a message.
 */
export function resolveConfig(watchlist: Watchlist | undefined, options: ResolveOptions): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  const path = options.path === undefined ? undefined : resolve(cwd, options.path);
  const flags = options.flags ?? {};
  const base = path === undefined ? cwd : dirname(path);
  const context: Context = {
    base,
    env: options.env,
    requireSecrets: options.requireSecrets,
    secrets: createSecretReader({
      env: options.env,
      base,
      credentialsDirectory: flags.credentialsDirectory,
      readFile: options.readFile,
    }),
    issues: [],
    secretProblems: [],
  };
  const { env, issues } = context;
  const api = watchlist?.api ?? {};

  const baseUrl = envValue(env, "INTUNED_API_BASE_URL") ?? api.baseUrl ?? DEFAULT_API_BASE_URL;
  if (!isHttpUrl(baseUrl)) {
    issues.push({ path: "", message: "INTUNED_API_BASE_URL must be an http(s) URL" });
  }
  // The flag was validated by the CLI; a stale INTUNED_WORKSPACE_ID must not fail a command that names its own.
  const givenWorkspace = flags.workspaceId ?? envValue(env, "INTUNED_WORKSPACE_ID") ?? api.workspaceId;
  const workspaceId = givenWorkspace === undefined ? undefined : normalizeWorkspaceId(givenWorkspace);
  if (flags.workspaceId === undefined && workspaceId !== undefined && !UUID_PATTERN.test(workspaceId)) {
    issues.push({
      path: "",
      message: 'INTUNED_WORKSPACE_ID must be a UUID like "123e4567-e89b-12d3-a456-426614174000"',
    });
  }

  const watchedIn = [...(watchlist?.sessions ?? []), ...(watchlist?.projects ?? [])];
  const defaultKey = findDefaultApiKey(context, watchlist);
  // The default key is only demanded when something will use it: a session or project without its
  // own key, or nothing watched at all (status/wait from the environment alone).
  const defaultKeyNeeded = watchedIn.length === 0 || watchedIn.some((s) => !s.apiKeyEnv && !s.apiKeyFile);
  const apiKey = take(context, defaultKey.found, defaultKey.path, {
    kind: "default-api-key",
    inUse: defaultKeyNeeded,
  });

  const sessions = resolveSessions(context, watchlist, workspaceId, apiKey);
  const projects = resolveProjects(context, watchlist, workspaceId, apiKey);
  findSessionsInProjects(context, watchlist, workspaceId, projects);
  const sinks = (watchlist?.sinks ?? []).flatMap((sink, i) => resolveSink(context, sink, i));
  const postgres = resolvePostgresState(
    {
      issue: (path, message) => context.issues.push({ path, message }),
      durationMs: (value, path) => durationMs(context, value, path),
      readEnvSecret: (name) => context.secrets.fromEnv(name),
    },
    flags.statePath ?? context.env.AUTHWATCH_STATE,
    watchlist?.state,
  );
  const statePath = postgres ? postgres.location : resolveStatePath(context, watchlist, cwd, flags.statePath);
  const alerts = (watchlist?.alerts ?? []).map((rule, i) => resolveAlertRule(context, rule, `alerts[${i}]`));
  const maintenance = (watchlist?.maintenance ?? []).map((window, i) =>
    resolveMaintenance(context, window, `maintenance[${i}]`),
  );
  const heartbeat = watchlist?.heartbeat && resolveHeartbeat(context, watchlist.heartbeat, "heartbeat");
  const timeoutMs = durationMs(context, api.timeout, "api.timeout") ?? BUILT_IN.apiTimeoutMs;

  if (issues.length > 0) throw new ConfigError(options.path ?? "environment", issues);
  return {
    path,
    api: {
      // Trailing slashes dropped so the client can append `/${workspaceId}/…` without doubling them.
      baseUrl: baseUrl.replace(/\/+$/, ""),
      timeoutMs,
      concurrency: api.concurrency ?? BUILT_IN.concurrency,
      maxRequestsPerSecond: api.maxRequestsPerSecond ?? BUILT_IN.maxRequestsPerSecond,
    },
    workspaceId,
    apiKey,
    sessions,
    projects,
    sinks,
    statePath,
    // Only when used, so a config without §8 features keeps its old shape.
    ...(alerts.length > 0 ? { alerts } : {}),
    ...(maintenance.length > 0 ? { maintenance } : {}),
    ...(heartbeat ? { heartbeat } : {}),
    secretProblems: context.secretProblems,
    ...(postgres ? { postgres } : {}),
    ...(watchlist?.http?.tokenEnv ? { httpTokenEnv: watchlist.http.tokenEnv } : {}),
  };
}

function resolveAlertRule(context: Context, rule: WatchlistAlertRule, path: string): AlertRule {
  return {
    name: rule.name,
    status: rule.status,
    forMs: durationMs(context, rule.for, `${path}.for`) ?? 0,
    repeatMs: durationMs(context, rule.repeat, `${path}.repeat`),
    match: rule.match === undefined ? undefined : toMatch(rule.match),
  };
}

function resolveMaintenance(context: Context, window: WatchlistMaintenance, path: string): MaintenanceWindow {
  return {
    name: window.name,
    cron: window.schedule,
    timezone: window.timezone,
    durationMs: durationMs(context, window.duration, `${path}.duration`) ?? 0,
    match: window.match === undefined ? undefined : toMatch(window.match),
  };
}

/** Undefined when the URL cannot be read (an issue is recorded when secrets are required). */
function resolveHeartbeat(
  context: Context,
  heartbeat: WatchlistHeartbeat,
  path: string,
): HeartbeatConfig | undefined {
  const url = webhookUrl(sinkResolveContext(context, { kind: "heartbeat" }), heartbeat, path);
  const everyMs = durationMs(context, heartbeat.every, `${path}.every`);
  return url && everyMs !== undefined ? { url, everyMs } : undefined;
}

/**
 * The key of sessions without their own: api.apiKeyFile > the systemd credential > the variable
 * api.apiKeyEnv names (INTUNED_API_KEY). The credential beats the variable although authwatch
 * otherwise ranks the environment first: a unit's LoadCredential= is the deliberate, protected
 * channel, while a variable may be inherited from anywhere (a shell profile, EnvironmentFile=),
 * and an explicit api.apiKeyFile is a choice the watchlist's author made for this deployment.
 */
function findDefaultApiKey(
  context: Context,
  watchlist: Watchlist | undefined,
): { found: Found<Secret>; path: string } {
  const api = watchlist?.api;
  if (api?.apiKeyFile !== undefined)
    return { found: context.secrets.fromFile(api.apiKeyFile), path: "api.apiKeyFile" };
  const credential = context.secrets.fromCredential(API_KEY_CREDENTIAL);
  if (credential) return { found: credential, path: "" };
  const name = api?.apiKeyEnv ?? DEFAULT_API_KEY_ENV;
  return { found: context.secrets.fromEnv(name), path: watchlist ? "api.apiKeyEnv" : "" };
}

function resolveSessions(
  context: Context,
  watchlist: Watchlist | undefined,
  defaultWorkspace: string | undefined,
  defaultKey: Secret | undefined,
): WatchedSession[] {
  const defaults = watchlist?.defaults ?? {};
  const seen = new Map<string, number>();
  return (watchlist?.sessions ?? []).flatMap((session, i): WatchedSession[] => {
    const path = `sessions[${i}]`;
    const workspaceId = entryWorkspace(context, session, path, defaultWorkspace);
    if (workspaceId === undefined) return [];
    const ref: SessionRef = { workspaceId, projectName: session.project, authSessionId: session.id };
    // parse.ts checked with api.workspaceId; INTUNED_WORKSPACE_ID may have changed the default since.
    // UUIDs compare without case; projects and ids are the API's strings and keep theirs.
    const identity = JSON.stringify([workspaceId.toLowerCase(), session.project, session.id]);
    const first = firstSeen(seen, identity, i);
    if (first !== undefined) {
      context.issues.push({
        path,
        message: `watches the same workspace, project and id as sessions[${first}]`,
      });
    }
    const settings = entrySettings(context, session, path, defaults);
    return [
      {
        // Spelled out, not `...ref` or `...settings`: V8 gives objects built by spread-then-add a
        // hidden class each (about 350 bytes per session at 100,000 sessions).
        workspaceId: ref.workspaceId,
        projectName: ref.projectName,
        authSessionId: ref.authSessionId,
        key: sessionKey(ref),
        labels: { ...session.labels },
        apiKey: sessionApiKey(context, session, path, { kind: "session-api-key", session: i }, defaultKey),
        intervals: settings.intervals,
        jitter: settings.jitter,
        failureThreshold: settings.failureThreshold,
        schedule: settings.schedule,
      },
    ];
  });
}

function resolveProjects(
  context: Context,
  watchlist: Watchlist | undefined,
  defaultWorkspace: string | undefined,
  defaultKey: Secret | undefined,
): WatchedProject[] {
  const defaults = watchlist?.defaults ?? {};
  const seen = new Map<string, number>();
  return (watchlist?.projects ?? []).flatMap((project, i): WatchedProject[] => {
    const path = `projects[${i}]`;
    const workspaceId = entryWorkspace(context, project, path, defaultWorkspace);
    if (workspaceId === undefined) return [];
    const identity = JSON.stringify([workspaceId.toLowerCase(), project.project]);
    const first = firstSeen(seen, identity, i);
    if (first !== undefined) {
      context.issues.push({
        path,
        message: `watches the same workspace and project as projects[${first}]; use one entry per project`,
      });
    }
    const settings = entrySettings(context, project, path, defaults);
    return [
      {
        workspaceId,
        projectName: project.project,
        key: projectKey(workspaceId, project.project),
        include: project.include === undefined ? undefined : [...project.include],
        exclude: [...(project.exclude ?? [])],
        labels: { ...project.labels },
        apiKey: sessionApiKey(context, project, path, { kind: "project-api-key", project: i }, defaultKey),
        intervals: settings.intervals,
        jitter: settings.jitter,
        failureThreshold: settings.failureThreshold,
        schedule: settings.schedule,
        path,
      },
    ];
  });
}

/** The entry's workspace (its own, else the default); undefined, with an issue, when there is none. */
function entryWorkspace(
  context: Context,
  entry: Pick<WatchlistSession, "workspaceId">,
  path: string,
  defaultWorkspace: string | undefined,
): string | undefined {
  const workspaceId =
    entry.workspaceId === undefined ? defaultWorkspace : normalizeWorkspaceId(entry.workspaceId);
  if (workspaceId === undefined) {
    context.issues.push({
      path: `${path}.workspaceId`,
      message:
        "is required: set it here, in api.workspaceId, or in the environment variable INTUNED_WORKSPACE_ID",
    });
  }
  return workspaceId;
}

/** The index of the entry that already had this identity, or undefined after recording entry `i` as its first. */
function firstSeen(seen: Map<string, number>, identity: string, i: number): number | undefined {
  const first = seen.get(identity);
  if (first === undefined) seen.set(identity, i);
  return first;
}

/** The poll settings a `sessions` or `projects` entry has: its own, else `defaults`, else built-in. */
function entrySettings(
  context: Context,
  entry: Pick<WatchlistSession, "interval" | "jitter" | "failureThreshold" | "schedule" | "timezone">,
  path: string,
  defaults: WatchlistDefaults,
): Pick<PollSettings, "intervals" | "jitter" | "failureThreshold" | "schedule"> {
  return {
    intervals: resolveIntervals(context, [
      { value: defaults.interval, path: "defaults.interval" },
      { value: entry.interval, path: `${path}.interval` },
    ]),
    jitter: entry.jitter ?? defaults.jitter ?? BUILT_IN.jitter,
    failureThreshold: entry.failureThreshold ?? defaults.failureThreshold ?? BUILT_IN.failureThreshold,
    schedule: entry.schedule === undefined ? undefined : { cron: entry.schedule, timezone: entry.timezone },
  };
}

/** A session listed under `sessions` that a `projects` entry also covers would be watched twice, with two settings. */
function findSessionsInProjects(
  context: Context,
  watchlist: Watchlist | undefined,
  defaultWorkspace: string | undefined,
  projects: readonly WatchedProject[],
): void {
  if (projects.length === 0) return;
  const covering = projects.map((project) => ({
    project,
    workspace: project.workspaceId.toLowerCase(),
    covers: createIdFilter(project.include, project.exclude),
  }));
  (watchlist?.sessions ?? []).forEach((session, i) => {
    const workspace = (session.workspaceId ?? defaultWorkspace)?.toLowerCase();
    const match = covering.find(
      (entry) =>
        entry.workspace === workspace &&
        entry.project.projectName === session.project &&
        entry.covers(session.id),
    );
    if (!match) return;
    context.issues.push({
      path: `sessions[${i}]`,
      message: `is also covered by ${match.project.path} (project "${session.project}"); watch it in one place: remove it here, or add "${session.id}" to ${match.project.path}.exclude`,
    });
  });
}

/** A session's own apiKeyFile/apiKeyEnv never falls back to the default key: that would poll with the wrong one. */
function sessionApiKey(
  context: Context,
  session: Pick<WatchlistSession, "apiKeyEnv" | "apiKeyFile">,
  path: string,
  use: SecretUse,
  defaultKey: Secret | undefined,
): Secret | undefined {
  if (session.apiKeyFile !== undefined) {
    return take(context, context.secrets.fromFile(session.apiKeyFile), `${path}.apiKeyFile`, use);
  }
  if (session.apiKeyEnv !== undefined) {
    return take(context, context.secrets.fromEnv(session.apiKeyEnv), `${path}.apiKeyEnv`, use);
  }
  return defaultKey;
}

/**
 * Layers built-in < defaults.interval < session.interval. Within a layer a status without its own
 * key takes the layer's `default`; a layer without `default` leaves such statuses to the layer below.
 * One duration is shorthand for `{ "default": … }`, so it sets every status.
 */
function resolveIntervals(
  context: Pick<Context, "issues">,
  layers: ReadonlyArray<{ value: WatchlistInterval | undefined; path: string }>,
): IntervalsMs {
  const result: IntervalsMs = { ...BUILT_IN_INTERVALS };
  for (const { value, path } of layers) {
    if (value === undefined) continue;
    const layer = typeof value === "object" ? value : { default: value };
    const fallback = durationMs(context, layer.default, typeof value === "object" ? `${path}.default` : path);
    for (const status of STATUS_KEYS) {
      const own = durationMs(context, layer[status], `${path}.${status}`);
      if (own !== undefined) result[status] = own;
      else if (fallback !== undefined) result[status] = fallback;
    }
    if (fallback !== undefined) result.default = fallback;
  }
  return result;
}

/** The kind module resolves the entry; nothing comes back for one that cannot deliver (its URL unreadable). */
function resolveSink(context: Context, sink: WatchlistSink, index: number): SinkConfig[] {
  const path = `sinks[${index}]`;
  const base = {
    name: sink.name,
    events: sink.events === undefined ? undefined : [...sink.events],
    match: sink.match === undefined ? undefined : toMatch(sink.match),
    retryWindowMs: durationMs(context, sink.retry?.window, `${path}.retry.window`) ?? BUILT_IN.retryWindowMs,
  };
  const kind = SINK_KINDS[sink.type] as unknown as SinkKind<WatchlistSink, SinkConfig>;
  const resolved = kind.resolve(sink, base, sinkResolveContext(context, { kind: "sink", sink: index }), path);
  return resolved === undefined ? [] : [resolved];
}

/** What a sink kind (or the heartbeat, which reads its URL the same way) may use to resolve its entry. */
function sinkResolveContext(context: Context, use: SecretUse): SinkResolveContext {
  return {
    base: context.base,
    requireSecrets: context.requireSecrets === true,
    issue: (path, message) => context.issues.push({ path, message }),
    durationMs: (value, path) => durationMs(context, value, path),
    readEnvSecret: (name) => context.secrets.fromEnv(name),
    readFileSecret: (file) => context.secrets.fromFile(file),
    take: (found, path) => take(context, found, path, use),
  };
}

function resolveStatePath(
  context: Context,
  watchlist: Watchlist | undefined,
  cwd: string,
  fromFlag: string | undefined,
): string {
  if (fromFlag !== undefined) return resolve(cwd, fromFlag);
  const fromEnv = envValue(context.env, "AUTHWATCH_STATE");
  if (fromEnv !== undefined) return resolve(cwd, fromEnv);
  if (typeof watchlist?.state === "string") return resolve(context.base, watchlist.state);
  // systemd may list several directories separated by ":"; the first is the unit's own.
  const stateDirectory = envValue(context.env, "STATE_DIRECTORY")?.split(":")[0];
  if (stateDirectory) return join(stateDirectory, "state.db");
  // Same as writing "state": "./.authwatch/state.db" in the watchlist: beside it, whatever the cwd.
  return resolve(context.base, BUILT_IN.statePath);
}

function toMatch(match: NonNullable<WatchlistSink["match"]> | WatchlistMatch): SinkMatch {
  const result: SinkMatch = {};
  if (match.project !== undefined) result.project = match.project;
  if (match.authSessionId !== undefined) result.authSessionId = match.authSessionId;
  if (match.labels !== undefined) result.labels = { ...match.labels };
  return result;
}

/**
 * The value, or undefined with the reason kept as a secret problem (and, when secrets are required
 * and something uses this one, as an issue in the order it was found).
 */
function take<T>(context: Context, found: Found<T>, path: string, use: SecretUse): T | undefined {
  if (found.ok) return found.value;
  context.secretProblems.push({ path, message: found.problem, use });
  if (isNeeded(use, context.requireSecrets)) context.issues.push({ path, message: found.problem });
  return undefined;
}

function durationMs(
  context: Pick<Context, "issues">,
  value: WatchlistDuration | undefined,
  path: string,
): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  // parseWatchlist has already rejected bad durations; this guards a watchlist built in code.
  if (ms === undefined) context.issues.push({ path, message: "must be a duration" });
  return ms;
}
