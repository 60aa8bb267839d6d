import type { ResolvedConfig, WatchedSession } from "../config/types.js";
import type { ProjectReloadSummary } from "../projects/project-set.js";

export interface ReloadSummary {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** Settings that only a restart applies. */
  needsRestart: string[];
  /** `projects` entries added, removed, changed; sessions that left a changed filter. */
  projects?: ProjectReloadSummary | undefined;
}

/** What a reload must do, decided from the two configs alone. */
export interface ReloadPlan {
  summary: ReloadSummary;
  /** Keys of sessions no longer watched: unscheduled and forgotten. */
  remove: string[];
  /** Sessions added, or changed in how they are polled: (re)scheduled. */
  schedule: WatchedSession[];
  /** Key sources whose key value changed: a rotated key need not wait out its old value's pause. */
  resumeKeys: string[];
  /** The API's base URL or timeout changed: new clients. */
  newClients: boolean;
  /** Whether a console sink prints every event (then transitions are not also logged). */
  consoleSink: boolean;
}

/** A stable comparison key of everything that affects how a session is polled. */
function sessionFingerprint(session: WatchedSession): string {
  return JSON.stringify([
    session.apiKey?.source,
    session.apiKey?.value,
    session.intervals,
    session.jitter,
    session.failureThreshold,
    session.schedule,
    session.labels,
  ]);
}

/** Pure: compares the running config with the new one. The daemon applies the plan. */
export function planReload(current: ResolvedConfig, next: ResolvedConfig): ReloadPlan {
  const summary: ReloadSummary = { added: 0, removed: 0, changed: 0, unchanged: 0, needsRestart: [] };
  if (next.statePath !== current.statePath) summary.needsRestart.push("state");
  if (next.api.concurrency !== current.api.concurrency) summary.needsRestart.push("api.concurrency");
  if (next.api.maxRequestsPerSecond !== current.api.maxRequestsPerSecond) {
    summary.needsRestart.push("api.maxRequestsPerSecond");
  }

  const oldKeys = new Map(
    [...current.sessions, ...current.projects].map((watched) => [
      watched.apiKey?.source,
      watched.apiKey?.value,
    ]),
  );
  const resumeKeys = new Set<string>();
  for (const session of [...next.sessions, ...next.projects]) {
    const source = session.apiKey?.source;
    if (source !== undefined && oldKeys.has(source) && oldKeys.get(source) !== session.apiKey?.value) {
      resumeKeys.add(source);
    }
  }

  const nextKeys = new Set(next.sessions.map((session) => session.key));
  const remove = current.sessions.map((session) => session.key).filter((key) => !nextKeys.has(key));
  summary.removed = remove.length;

  const before = new Map(current.sessions.map((session) => [session.key, sessionFingerprint(session)]));
  const schedule: WatchedSession[] = [];
  for (const session of next.sessions) {
    const old = before.get(session.key);
    if (old === sessionFingerprint(session)) {
      summary.unchanged++;
      continue;
    }
    if (old === undefined) summary.added++;
    else summary.changed++;
    schedule.push(session);
  }

  return {
    summary,
    remove,
    schedule,
    resumeKeys: [...resumeKeys],
    newClients: next.api.baseUrl !== current.api.baseUrl || next.api.timeoutMs !== current.api.timeoutMs,
    consoleSink: next.sinks.some((sink) => sink.type === "console"),
  };
}
