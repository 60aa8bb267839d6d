import { type AuthwatchEvent, isProjectEvent, type Labels } from "../events.js";

/** Which sessions a silence covers: every key given must hold (`sessions`: any one of them). */
export interface SilenceMatch {
  /** Named sessions (PROJECT/SESSION_ID in any workspace). */
  sessions?: Array<{ projectName: string; authSessionId: string }>;
  project?: string;
  authSessionId?: string;
  labels?: Labels;
}

/** A silence added from the command line, or one occurrence of a maintenance window. */
export interface Silence {
  /** `sil_…` for added silences, `maintenance:NAME` for a window. */
  id: string;
  match: SilenceMatch;
  /** Epoch ms; the silence holds in [startsAt, endsAt). */
  startsAt: number;
  endsAt: number;
  reason: string;
  createdAt: number;
}

/** What a silence looks at: a session's identity and labels. */
export interface SilenceSubject {
  projectName: string;
  /** Absent for events about a whole project. */
  authSessionId?: string | undefined;
  labels: Labels | undefined;
}

/** Alert rules, windows and silences share this test (a sink's `match` has the same keys but `sessions`). */
export function silenceCovers(match: SilenceMatch, subject: SilenceSubject): boolean {
  if (match.project !== undefined && match.project !== subject.projectName) return false;
  if (match.authSessionId !== undefined && match.authSessionId !== subject.authSessionId) return false;
  if (match.sessions !== undefined) {
    const named = match.sessions.some(
      (s) => s.projectName === subject.projectName && s.authSessionId === subject.authSessionId,
    );
    if (!named) return false;
  }
  const labels = match.labels ?? {};
  return Object.entries(labels).every(
    ([key, value]) =>
      subject.labels !== undefined && Object.hasOwn(subject.labels, key) && subject.labels[key] === value,
  );
}

/**
 * The silence (among `silences`) that holds for the event at `at`, or undefined. Events about an API
 * key (watcher.*) belong to no session and are never silenced: a refused key concerns every session.
 */
export function findSilence(
  silences: readonly Silence[],
  event: AuthwatchEvent,
  at: number,
): Silence | undefined {
  if (event.type === "watcher.unauthorized" || event.type === "watcher.authorized") return undefined;
  if (isProjectEvent(event)) {
    // A project event stands for all its sessions: a silence naming the project or labels covers it,
    // one naming a single session does not (no session id matches "").
    const { projectName, labels } = event.data;
    return findSilenceFor(silences, { projectName, authSessionId: "", labels }, at);
  }
  return findSilenceFor(silences, event.data, at);
}

export function findSilenceFor(
  silences: readonly Silence[],
  subject: SilenceSubject,
  at: number,
): Silence | undefined {
  return silences.find(
    (silence) => silence.startsAt <= at && at < silence.endsAt && silenceCovers(silence.match, subject),
  );
}

/** True when the silence names nothing at all: it would silence every session. */
export function isEmptyMatch(match: SilenceMatch): boolean {
  return (
    (match.sessions === undefined || match.sessions.length === 0) &&
    match.project === undefined &&
    match.authSessionId === undefined &&
    (match.labels === undefined || Object.keys(match.labels).length === 0)
  );
}
