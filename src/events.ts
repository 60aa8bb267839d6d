import type { ErrorInfo, SessionStatus, SessionType } from "./types.js";

/** Event types in docs/events.md. */
export const TRANSITION_EVENT_TYPES = [
  "authsession.pending",
  "authsession.ready",
  "authsession.expired",
  "authsession.not_found",
  "authsession.unknown_status",
] as const;
export const HEALTH_EVENT_TYPES = [
  "authsession.poll_failing",
  "authsession.poll_recovered",
  "watcher.unauthorized",
] as const;
export const EVENT_TYPES = [...TRANSITION_EVENT_TYPES, ...HEALTH_EVENT_TYPES] as const;

export type TransitionEventType = (typeof TRANSITION_EVENT_TYPES)[number];
export type HealthEventType = (typeof HEALTH_EVENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

export type Labels = Record<string, string>;

export interface TransitionEventData {
  eventId: string;
  workspaceId: string;
  projectName: string;
  authSessionId: string;
  sessionType: SessionType | null;
  from: SessionStatus | null;
  to: SessionStatus;
  /** ISO 8601. */
  observedAt: string;
  /** ISO 8601, the `since` of the state that was left; null on a first observation. */
  previousSince: string | null;
  labels: Labels;
}

export interface PollHealthEventData {
  eventId: string;
  workspaceId: string;
  projectName: string;
  authSessionId: string;
  sessionType: SessionType | null;
  error: ErrorInfo | null;
  failures: number;
  observedAt: string;
  labels: Labels;
}

export interface UnauthorizedEventData {
  eventId: string;
  workspaceId: string;
  error: ErrorInfo;
  observedAt: string;
}

interface EventOf<T extends EventType, D> {
  type: T;
  /** ISO 8601, when authwatch created the event. */
  timestamp: string;
  data: D;
}

export type TransitionEvent = EventOf<TransitionEventType, TransitionEventData>;
export type PollHealthEvent = EventOf<
  "authsession.poll_failing" | "authsession.poll_recovered",
  PollHealthEventData
>;
export type UnauthorizedEvent = EventOf<"watcher.unauthorized", UnauthorizedEventData>;

/** The event body: what a `standard` webhook receives and the console sink logs. */
export type AuthwatchEvent = TransitionEvent | PollHealthEvent | UnauthorizedEvent;

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export function isTransitionEvent(event: AuthwatchEvent): event is TransitionEvent {
  return (TRANSITION_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The event type announcing entry into a status; statuses the spec does not list map to unknown_status. */
export function eventTypeForStatus(status: SessionStatus): TransitionEventType {
  switch (status) {
    case "PENDING":
      return "authsession.pending";
    case "READY":
      return "authsession.ready";
    case "EXPIRED":
      return "authsession.expired";
    case "NOT_FOUND":
      return "authsession.not_found";
    default:
      return "authsession.unknown_status";
  }
}
