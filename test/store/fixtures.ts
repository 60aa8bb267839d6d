import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  AuthwatchEvent,
  PollHealthEvent,
  ProjectHealthEvent,
  TransitionEvent,
} from "../../src/events.js";
import { eventTypeForStatus } from "../../src/events.js";
import type { StoreChange } from "../../src/store/state-store.js";
import type { SessionRef, SessionState } from "../../src/types.js";

export const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export function ref(id: string, projectName = "proj"): SessionRef {
  return { workspaceId: WORKSPACE, projectName, authSessionId: id };
}

let counter = 0;

/** A transition event into `to` at `at`, with a unique id unless one is given. */
export function transitionEvent(
  session: SessionRef,
  to: string,
  options: { from?: string | null; at?: number; eventId?: string } = {},
): TransitionEvent {
  const at = options.at ?? T0;
  return {
    type: eventTypeForStatus(to),
    timestamp: new Date(at).toISOString(),
    data: {
      eventId: options.eventId ?? `evt-${++counter}`,
      ...session,
      sessionType: "CREDENTIALS",
      from: options.from ?? null,
      to,
      observedAt: new Date(at).toISOString(),
      previousSince: null,
      labels: {},
    },
  };
}

export function pollFailingEvent(session: SessionRef, at = T0): PollHealthEvent {
  return {
    type: "authsession.poll_failing",
    timestamp: new Date(at).toISOString(),
    data: {
      eventId: `evt-${++counter}`,
      ...session,
      sessionType: null,
      error: { code: "SERVER_ERROR", message: "HTTP 503" },
      failures: 3,
      observedAt: new Date(at).toISOString(),
      labels: {},
    },
  };
}

/** A project list's health event (stored without a session key), as the project poller makes it. */
export function projectHealthEvent(
  type: ProjectHealthEvent["type"],
  projectName: string,
  failures = 3,
  at = T0,
): ProjectHealthEvent {
  return {
    type,
    timestamp: new Date(at).toISOString(),
    data: {
      eventId: `evt-${++counter}`,
      workspaceId: WORKSPACE,
      projectName,
      error: { code: "SERVER_ERROR", message: "HTTP 503" },
      failures,
      observedAt: new Date(at).toISOString(),
      labels: {},
    },
  };
}

/** An event the store keeps on its own (no state change), with no delivery. */
function storedEvent(event: AuthwatchEvent, sessionKey: string | null = null): StoreChange {
  return { kind: "event", event, sessionKey, deliverTo: [] };
}

/**
 * Changes a store must read back as: project "down" failing (4 failures), "flaky" recovered after
 * failing twice, "again" failing once more after a recovery; a session's poll_failing is no project's.
 */
export function projectHealthHistory(): StoreChange[] {
  const event = storedEvent;
  return [
    event(projectHealthEvent("project.poll_failing", "flaky", 2)),
    event(projectHealthEvent("project.poll_failing", "down", 4)),
    event(projectHealthEvent("project.poll_failing", "again", 2)),
    event(pollFailingEvent(ref("s1", "session-only")), `${WORKSPACE}/session-only/s1`),
    event(projectHealthEvent("project.poll_recovered", "flaky", 2)),
    event(projectHealthEvent("project.poll_recovered", "again", 2)),
    event(projectHealthEvent("project.poll_failing", "again", 5)),
  ];
}

export const FAILING_PROJECTS_OF_HISTORY = new Map([
  [`${WORKSPACE}/down`, { error: { code: "SERVER_ERROR", message: "HTTP 503" }, failures: 4 }],
  [`${WORKSPACE}/again`, { error: { code: "SERVER_ERROR", message: "HTTP 503" }, failures: 5 }],
]);

/**
 * Key events a store must read back as: "env A" refused, then accepted; "file B" refused; "env C"
 * refused, accepted, refused again. So B and C are refused, A is not.
 */
export function keyEventHistory(): StoreChange[] {
  const keyEvent = (type: "watcher.unauthorized" | "watcher.authorized", keySource: string) =>
    storedEvent({
      type,
      timestamp: new Date(T0).toISOString(),
      data: {
        eventId: `evt-${++counter}`,
        workspaceId: WORKSPACE,
        keySource,
        ...(type === "watcher.unauthorized" ? { error: { code: "UNAUTHORIZED", message: "HTTP 401" } } : {}),
        observedAt: new Date(T0).toISOString(),
      },
    } as AuthwatchEvent);
  return [
    keyEvent("watcher.unauthorized", "env A"),
    keyEvent("watcher.unauthorized", "file B"),
    keyEvent("watcher.authorized", "env A"),
    keyEvent("watcher.unauthorized", "env C"),
    keyEvent("watcher.authorized", "env C"),
    keyEvent("watcher.unauthorized", "env C"),
  ];
}

export const REFUSED_KEYS_OF_HISTORY = new Set(["file B", "env C"]);

export function state(status: string, since = T0): SessionState {
  return { status, sessionType: "CREDENTIALS", since };
}

/** A fresh temp folder per test; `cleanup` removes it. */
export function tempDir(): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-store-"));
  return {
    dir,
    file: (name = "state.db") => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
