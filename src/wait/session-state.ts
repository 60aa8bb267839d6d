import type { ErrorInfo, Observation, SessionRef, SessionStatus } from "../types.js";
import type { WaitSessionState, WaitStatus } from "./types.js";

export function initialSessionState(ref: SessionRef): WaitSessionState {
  return {
    workspaceId: ref.workspaceId,
    projectName: ref.projectName,
    authSessionId: ref.authSessionId,
    status: null,
    sessionType: null,
    since: null,
    reached: false,
    lastError: null,
    polls: 0,
    lastPolledAt: null,
  };
}

/** A successful poll: `since` moves only when the status changes, so it says how long it has held. */
export function applyObservation(
  state: WaitSessionState,
  observation: Observation,
  wanted: WaitStatus,
): WaitSessionState {
  const changed = observation.status !== state.status;
  return {
    ...state,
    status: observation.status,
    sessionType: observation.sessionType ?? state.sessionType,
    since: changed ? observation.observedAt : state.since,
    reached: observation.status === wanted,
    lastError: null,
    polls: state.polls + 1,
    lastPolledAt: observation.observedAt,
  };
}

/** A failed poll changes nothing the API said (docs/events.md); it only records the error. */
export function applyFailure(state: WaitSessionState, error: ErrorInfo, at: number): WaitSessionState {
  return { ...state, lastError: error, polls: state.polls + 1, lastPolledAt: at };
}

/**
 * Whether `status` means the session will not become `wanted` by itself: an expired or deleted
 * session needs someone to log in again. Only READY has such statuses; a session can reach PENDING,
 * EXPIRED or NOT_FOUND from anywhere.
 */
export function rulesOut(wanted: WaitStatus, status: SessionStatus): boolean {
  return wanted === "READY" && (status === "EXPIRED" || status === "NOT_FOUND");
}
