import type { SessionRef } from "../types.js";
import type { ProjectRef } from "./path.js";
import { createTimeline, type Timeline, timelineStatusAt } from "./timeline.js";
import type { FakeSession, TimelineStep } from "./types.js";

/** NUL cannot come out of a decoded URL segment by accident, so keys never collide. */
export function refKey(ref: SessionRef): string {
  return `${ref.workspaceId}\u0000${ref.projectName}\u0000${ref.authSessionId}`;
}

/** The key of a project, for the list endpoint and project-wide faults. */
export function projectKey(project: ProjectRef): string {
  return `${project.workspaceId}\u0000${project.projectName}`;
}

export interface SessionEntry {
  ref: SessionRef;
  type: string;
  timeline: Timeline;
  /** `now()` at which the timeline is at 0 (offset already applied). */
  startedAt: number;
}

export interface SessionStore {
  add(session: FakeSession): void;
  remove(ref: SessionRef): void;
  setTimeline(ref: SessionRef, steps: TimelineStep[], options?: { loop?: boolean; offsetMs?: number }): void;
  setStatus(ref: SessionRef, status: string, type?: string): void;
  /** O(1): the benchmarks script tens of thousands of sessions. */
  get(key: string): SessionEntry | undefined;
  statusOf(entry: SessionEntry | undefined): string;
  /** The sessions of one project (its projectKey), in the order they were added. */
  listProject(key: string): Iterable<SessionEntry>;
  /** Every session, for the control endpoint. */
  all(): Iterable<SessionEntry>;
}

const DEFAULT_TYPE = "CREDENTIALS";
const DEFAULT_TIMELINE: TimelineStep[] = [{ status: "READY" }];

export function createSessionStore(now: () => number): SessionStore {
  const sessions = new Map<string, SessionEntry>();
  // projectKey → refKey → entry, so a list costs its own project's size, not every session's.
  const byProject = new Map<string, Map<string, SessionEntry>>();

  const setTimeline: SessionStore["setTimeline"] = (ref, steps, options = {}) => {
    const key = refKey(ref);
    const existing = sessions.get(key);
    const entry: SessionEntry = {
      ref: { workspaceId: ref.workspaceId, projectName: ref.projectName, authSessionId: ref.authSessionId },
      type: existing?.type ?? DEFAULT_TYPE,
      timeline: createTimeline(steps, options.loop ?? false),
      startedAt: now() - (options.offsetMs ?? 0),
    };
    sessions.set(key, entry);
    const project = projectKey(ref);
    let members = byProject.get(project);
    if (!members) {
      members = new Map();
      byProject.set(project, members);
    }
    members.set(key, entry);
  };

  return {
    add(session) {
      setTimeline(session, session.timeline ?? DEFAULT_TIMELINE, {
        loop: session.loop ?? false,
        offsetMs: session.offsetMs ?? 0,
      });
      sessions.get(refKey(session))!.type = session.type ?? DEFAULT_TYPE;
    },
    remove(ref) {
      sessions.delete(refKey(ref));
      byProject.get(projectKey(ref))?.delete(refKey(ref));
    },
    setTimeline,
    setStatus(ref, status, type) {
      setTimeline(ref, [{ status }]);
      if (type !== undefined) sessions.get(refKey(ref))!.type = type;
    },
    get: (key) => sessions.get(key),
    listProject: (key) => byProject.get(key)?.values() ?? [],
    all: () => sessions.values(),
    statusOf(entry) {
      return entry ? timelineStatusAt(entry.timeline, now() - entry.startedAt) : "NOT_FOUND";
    },
  };
}
