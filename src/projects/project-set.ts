import type { WatchedProject, WatchedSession } from "../config/types.js";
import type { Scheduler } from "../scheduler/types.js";
import type { FailingProject } from "../store/failing-projects.js";
import type { SessionState } from "../types.js";
import {
  createProjectWatch,
  mostUrgentStatus,
  type ProjectWatch,
  updateProjectWatch,
} from "./project-watch.js";

export interface ProjectReloadSummary {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** Sessions no longer watched because a changed filter leaves them out (no event for them). */
  leftFilter: number;
}

/** Every `projects` entry of the running daemon, and the one scheduler entry each is polled through. */
export interface ProjectSet {
  /** The project a scheduler entry stands for; undefined for a listed session. */
  watchFor(schedulerKey: string): ProjectWatch | undefined;
  /** The project a watched session was discovered in. */
  watchOfSession(
    session: Pick<WatchedSession, "workspaceId" | "projectName" | "key">,
  ): ProjectWatch | undefined;
  /** Every session the projects watch now. */
  members(): Iterable<WatchedSession>;
  /** A watched session by its key, in O(1): called once per transition, 10,000 times on a first listing. */
  sessionOf(key: string): WatchedSession | undefined;
  memberCount(): number;
  /** Each project's list request (its members are polled only through it), and whether it is failing now. */
  lists(): Iterable<{ target: WatchedSession; failing: boolean }>;
  reload(projects: readonly WatchedProject[]): ProjectReloadSummary;
}

export function createProjectSet(options: {
  projects: readonly WatchedProject[];
  states: ReadonlyMap<string, SessionState>;
  scheduler: Pick<Scheduler, "upsert" | "remove">;
  /** Projects whose list was failing when the daemon last stopped (store.failingProjects), by key. */
  failing?: ReadonlyMap<string, FailingProject>;
}): ProjectSet {
  const { states, scheduler } = options;
  // Taken by the first watch of each project, at start or by a later reload, then forgotten: a watch
  // keeps its own health from there on.
  const failingAtStart = new Map(options.failing);
  // By project key; the target's key is `${project.key}/*`.
  const watches = new Map<string, ProjectWatch>();
  const byTarget = new Map<string, ProjectWatch>();

  const add = (project: WatchedProject) => {
    const watch = createProjectWatch(project, states, failingAtStart.get(project.key));
    failingAtStart.delete(project.key);
    watches.set(project.key, watch);
    byTarget.set(watch.target.key, watch);
    scheduler.upsert(watch.target, mostUrgentStatus(watch, states));
  };
  for (const project of options.projects) add(project);

  return {
    watchFor: (key) => byTarget.get(key),
    watchOfSession(session) {
      const watch = watches.get(`${session.workspaceId}/${session.projectName}`);
      return watch?.members.get(session.key.slice(watch.project.key.length + 1)) ? watch : undefined;
    },
    sessionOf(key) {
      // Keys are `<workspace>/<project>/<id>`; none of the three contains "/".
      const cut = key.lastIndexOf("/");
      return watches.get(key.slice(0, cut))?.members.get(key.slice(cut + 1));
    },
    *members() {
      for (const watch of watches.values()) yield* watch.members.values();
    },
    *lists() {
      for (const watch of watches.values()) yield { target: watch.target, failing: watch.health.failing };
    },
    memberCount() {
      let count = 0;
      for (const watch of watches.values()) count += watch.members.size;
      return count;
    },
    reload(projects) {
      const summary: ProjectReloadSummary = { added: 0, removed: 0, changed: 0, unchanged: 0, leftFilter: 0 };
      const next = new Set(projects.map((project) => project.key));
      for (const [key, watch] of watches) {
        if (next.has(key)) continue;
        scheduler.remove(watch.target.key);
        byTarget.delete(watch.target.key);
        watches.delete(key);
        summary.removed++;
      }
      for (const project of projects) {
        const watch = watches.get(project.key);
        if (!watch) {
          add(project);
          summary.added++;
          continue;
        }
        if (fingerprint(watch.project) === fingerprint(project)) {
          summary.unchanged++;
          continue;
        }
        summary.changed++;
        summary.leftFilter += updateProjectWatch(watch, project).length;
        scheduler.upsert(watch.target, mostUrgentStatus(watch, states));
      }
      return summary;
    },
  };
}

/** Everything about an entry that changes how it is polled or what its sessions carry. */
function fingerprint(project: WatchedProject): string {
  return JSON.stringify([
    project.include,
    project.exclude,
    project.labels,
    project.apiKey?.source,
    project.apiKey?.value,
    project.intervals,
    project.jitter,
    project.failureThreshold,
    project.schedule,
  ]);
}
