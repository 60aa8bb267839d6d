import type { SessionRef } from "../types.js";
import { createTimeline, type Timeline, timelineStatusAt } from "./timeline.js";
import type { FakeSession, TimelineStep } from "./types.js";

/** NUL cannot come out of a decoded URL segment by accident, so keys never collide. */
export function refKey(ref: SessionRef): string {
  return `${ref.workspaceId}\u0000${ref.projectName}\u0000${ref.authSessionId}`;
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
}

const DEFAULT_TYPE = "CREDENTIALS";
const DEFAULT_TIMELINE: TimelineStep[] = [{ status: "READY" }];

export function createSessionStore(now: () => number): SessionStore {
  const sessions = new Map<string, SessionEntry>();

  const setTimeline: SessionStore["setTimeline"] = (ref, steps, options = {}) => {
    const key = refKey(ref);
    const existing = sessions.get(key);
    sessions.set(key, {
      ref: { workspaceId: ref.workspaceId, projectName: ref.projectName, authSessionId: ref.authSessionId },
      type: existing?.type ?? DEFAULT_TYPE,
      timeline: createTimeline(steps, options.loop ?? false),
      startedAt: now() - (options.offsetMs ?? 0),
    });
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
    },
    setTimeline,
    setStatus(ref, status, type) {
      setTimeline(ref, [{ status }]);
      if (type !== undefined) sessions.get(refKey(ref))!.type = type;
    },
    get: (key) => sessions.get(key),
    statusOf(entry) {
      return entry ? timelineStatusAt(entry.timeline, now() - entry.startedAt) : "NOT_FOUND";
    },
  };
}
