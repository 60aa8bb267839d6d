import type { WatchedProject, WatchedSession } from "../config/types.js";
import { HEALTHY, type PollHealth } from "../poll-health.js";
import { intervalFor } from "../scheduler/next-poll-time.js";
import type { FailingProject } from "../store/failing-projects.js";
import { type SessionState, sessionKey } from "../types.js";
import { createIdFilter, type IdFilter } from "./id-filter.js";

/** One `projects` entry at run time: its filter, the sessions it watches, its list's health. */
export interface ProjectWatch {
  project: WatchedProject;
  filter: IdFilter;
  /** Session id → the watched session, with the entry's labels and settings. */
  members: Map<string, WatchedSession>;
  /** The project as the scheduler polls it: one session-shaped entry, keyed `<workspace>/<project>/*`. */
  target: WatchedSession;
  health: PollHealth;
  /** When the last list answered (epoch ms), for /sessions; undefined before the first. */
  lastPollAt: number | undefined;
}

/** `*` is no session id (ids are letters, digits and - ( ) , _), so the target's key never meets a session's. */
export const PROJECT_TARGET_ID = "*";

/**
 * A project entry with the sessions the state already knows under it (those that pass its filter):
 * after a restart they are members at once, so a session deleted while authwatch was down becomes
 * NOT_FOUND at the first list, and /sessions shows the project before that list returns.
 * `failing`: the list was failing when the daemon stopped (project.poll_failing stored last), so its
 * next success announces project.poll_recovered and further failures repeat nothing.
 */
export function createProjectWatch(
  project: WatchedProject,
  knownStates: ReadonlyMap<string, SessionState>,
  failing?: FailingProject,
): ProjectWatch {
  const watch: ProjectWatch = {
    project,
    filter: createIdFilter(project.include, project.exclude),
    members: new Map(),
    target: projectTarget(project),
    health: failing ? { failures: failing.failures, failing: true, lastError: failing.error } : HEALTHY,
    lastPollAt: undefined,
  };
  const prefix = `${project.key}/`;
  for (const key of knownStates.keys()) {
    if (!key.startsWith(prefix)) continue;
    const id = key.slice(prefix.length);
    if (watch.filter(id)) watch.members.set(id, memberSession(project, id));
  }
  return watch;
}

/**
 * Applies a reloaded entry: new settings for every member, and the members its new filter leaves
 * out are dropped (returned) without any event. Their stored state stays, so a session that enters
 * the filter again goes on from it instead of being announced as new.
 */
export function updateProjectWatch(watch: ProjectWatch, project: WatchedProject): WatchedSession[] {
  watch.project = project;
  watch.filter = createIdFilter(project.include, project.exclude);
  watch.target = projectTarget(project);
  const dropped: WatchedSession[] = [];
  for (const [id, member] of watch.members) {
    if (watch.filter(id)) watch.members.set(id, memberSession(project, id));
    else {
      watch.members.delete(id);
      dropped.push(member);
    }
  }
  return dropped;
}

/** A discovered session: the entry's labels, key and poll settings (shared objects, not copies: 10,000 of them). */
export function memberSession(project: WatchedProject, authSessionId: string): WatchedSession {
  const ref = { workspaceId: project.workspaceId, projectName: project.projectName, authSessionId };
  return {
    workspaceId: project.workspaceId,
    projectName: project.projectName,
    authSessionId,
    key: sessionKey(ref),
    labels: project.labels,
    apiKey: project.apiKey,
    intervals: project.intervals,
    jitter: project.jitter,
    failureThreshold: project.failureThreshold,
    schedule: project.schedule,
  };
}

function projectTarget(project: WatchedProject): WatchedSession {
  return memberSession(project, PROJECT_TARGET_ID);
}

/**
 * The status whose interval is the shortest among the members' current statuses: the list runs as
 * often as its most urgent session asks (a PENDING session makes it run at the PENDING interval).
 * Undefined with no observed member, which means the `default` interval.
 */
export function mostUrgentStatus(
  watch: ProjectWatch,
  states: ReadonlyMap<string, SessionState>,
): string | undefined {
  let best: string | undefined;
  let bestMs = Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  for (const member of watch.members.values()) {
    const status = states.get(member.key)?.status;
    if (status === undefined || seen.has(status)) continue;
    seen.add(status);
    const ms = intervalFor(watch.project.intervals, status);
    if (ms < bestMs) {
      bestMs = ms;
      best = status;
    }
  }
  return best;
}
