import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PollHealthEvent, TransitionEvent } from "../../src/events.js";
import { eventTypeForStatus } from "../../src/events.js";
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
