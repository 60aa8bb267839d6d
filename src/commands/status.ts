import { existsSync } from "node:fs";
import type { Dispatcher } from "undici";
import { createClientPool } from "../api/client-pool.js";
import { pollSession } from "../api/poll.js";
import type { ResolvedConfig, ResolvedPostgres, WatchedSession } from "../config/types.js";
import { EXIT } from "../errors/authwatch-error.js";
import { toErrorInfo } from "../errors/to-error-info.js";
import { createIdFilter } from "../projects/id-filter.js";
import { openStore } from "../store/store.js";
import {
  type ErrorInfo,
  type SessionState,
  type SessionStatus,
  type SessionType,
  sessionKey,
} from "../types.js";
import { mapConcurrent } from "../util/map-concurrent.js";
import { listProjectRows, type ProjectQuery } from "./project-status.js";

export interface SessionStatusRow {
  workspaceId: string;
  projectName: string;
  authSessionId: string;
  status: SessionStatus | null;
  sessionType: SessionType | null;
  /** ISO 8601 from the daemon's state file when it saw the same status; otherwise null. */
  since: string | null;
  error: ErrorInfo | null;
}

export interface StatusDeps {
  dispatcher?: Dispatcher;
  now?: () => number;
  /** When the session was first seen in `status`, from the daemon's state file, if there is one. */
  sinceOf?: (session: Pick<WatchedSession, "key">, status: SessionStatus) => number | undefined;
  /** `--project`: list only these projects (every session of each), instead of the watchlist's. */
  projects?: ProjectQuery[] | undefined;
}

/** Polls every watched session once, all keys sharing the configured concurrency. */
export async function collectStatus(
  config: ResolvedConfig,
  deps: StatusDeps = {},
): Promise<SessionStatusRow[]> {
  const now = deps.now ?? Date.now;
  const pool = createClientPool(config.api, deps.dispatcher ? { dispatcher: deps.dispatcher } : {});
  const projects =
    deps.projects ??
    config.projects.map((project) => ({
      ...project,
      filter: createIdFilter(project.include, project.exclude),
    }));
  const listed = (
    await mapConcurrent(projects, config.api.concurrency, (project) => listProjectRows(project, pool))
  ).flat();
  for (const row of listed) {
    if (row.status === null) continue;
    const since = deps.sinceOf?.({ key: sessionKey(row) }, row.status);
    if (since !== undefined) row.since = new Date(since).toISOString();
  }
  if (deps.projects) return listed;
  const polled = await mapConcurrent(config.sessions, config.api.concurrency, async (session) => {
    const row: SessionStatusRow = {
      workspaceId: session.workspaceId,
      projectName: session.projectName,
      authSessionId: session.authSessionId,
      status: null,
      sessionType: null,
      since: null,
      error: null,
    };
    if (!session.apiKey) {
      return {
        ...row,
        error: { code: "CONFIG_INVALID", message: "no API key: set INTUNED_API_KEY or apiKeyEnv" },
      };
    }
    try {
      const { observation } = await pollSession(pool.forKey(session.apiKey), session, { now });
      const since = deps.sinceOf?.(session, observation.status);
      return {
        ...row,
        status: observation.status,
        sessionType: observation.sessionType,
        since: since === undefined ? null : new Date(since).toISOString(),
      };
    } catch (error) {
      return { ...row, error: toErrorInfo(error) };
    }
  });
  return [...polled, ...listed];
}

/**
 * `since` for each session from the daemon's state file, when there is one: `status` itself polls
 * once and cannot know how long a status has held. Without it, `problem` says why, for one line.
 */
export function readSinceFromStateFile(statePath: string): SinceFromState {
  if (!existsSync(statePath)) return { problem: "missing" };
  let states: Map<string, SessionState>;
  try {
    const store = openStore(statePath, { readOnly: true });
    try {
      states = store.loadSessions();
    } finally {
      store.close();
    }
  } catch (error) {
    // `since` is a nicety: a state file this user cannot read must not cost the status itself.
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  return sinceFrom(states);
}

export interface SinceFromState {
  sinceOf?: StatusDeps["sinceOf"];
  problem?: "missing" | string;
}

/** `since` from wherever the daemon keeps its state: the SQLite file, or PostgreSQL (contract §10). */
export async function readSinceFromState(config: {
  statePath: string;
  postgres?: ResolvedPostgres | undefined;
}): Promise<SinceFromState> {
  if (!config.postgres) return readSinceFromStateFile(config.statePath);
  try {
    const { withPostgresState } = await import("../postgres/open-postgres-reader.js");
    return sinceFrom(await withPostgresState(config.postgres, async (store) => store.loadSessions()));
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

function sinceFrom(states: ReadonlyMap<string, SessionState>): SinceFromState {
  const sinceOf: StatusDeps["sinceOf"] = (session, status) => {
    const state = states.get(session.key);
    return state && state.status === status ? state.since : undefined;
  };
  return { sinceOf };
}

/** 0 when every poll succeeded, 1 otherwise (a 404 is a success: the session is NOT_FOUND). */
export function statusExitCode(rows: readonly SessionStatusRow[]): number {
  return rows.every((row) => row.error === null) ? EXIT.OK : EXIT.FAILURE;
}
