import { eventTypeForStatus, type Labels, type TransitionEvent } from "./events.js";
import type { Observation, SessionRef, SessionState } from "./types.js";

export interface TransitionContext {
  ref: SessionRef;
  labels: Labels;
  /** Epoch ms at which the event is created. */
  now: number;
  newEventId: () => string;
}

export interface TransitionResult {
  state: SessionState;
  /** The event to emit, or null when the status did not change. */
  event: TransitionEvent | null;
  /** True when `state` differs from `previous` in any stored field and must be persisted. */
  changed: boolean;
}

/**
 * The state machine, with no I/O: given the stored state (null before the first observation)
 * and a successful poll, what is the new state and which event announces it.
 * Failed polls never reach this function, so they can never change the state.
 */
export function transition(
  previous: SessionState | null,
  observation: Observation,
  context: TransitionContext,
): TransitionResult {
  if (previous && previous.status === observation.status) {
    // The type may appear (a session first seen as NOT_FOUND) or change; keep the last one the API gave.
    const sessionType = observation.sessionType ?? previous.sessionType;
    if (sessionType === previous.sessionType) return { state: previous, event: null, changed: false };
    return { state: { ...previous, sessionType }, event: null, changed: true };
  }

  const state: SessionState = {
    status: observation.status,
    sessionType: observation.sessionType ?? previous?.sessionType ?? null,
    since: observation.observedAt,
  };
  const event: TransitionEvent = {
    type: eventTypeForStatus(observation.status),
    timestamp: new Date(context.now).toISOString(),
    data: {
      eventId: context.newEventId(),
      workspaceId: context.ref.workspaceId,
      projectName: context.ref.projectName,
      authSessionId: context.ref.authSessionId,
      sessionType: state.sessionType,
      from: previous?.status ?? null,
      to: observation.status,
      observedAt: new Date(observation.observedAt).toISOString(),
      previousSince: previous ? new Date(previous.since).toISOString() : null,
      labels: context.labels,
    },
  };
  return { state, event, changed: true };
}
