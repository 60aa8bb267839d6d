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
  "watcher.authorized",
] as const;
/** Contract §8: a status held too long, and the end of it. */
export const ALERT_EVENT_TYPES = ["authsession.overdue", "authsession.overdue_resolved"] as const;
/** Contract §7: a `projects` entry's list requests failing, and recovering; they stand for all its sessions. */
export const PROJECT_EVENT_TYPES = ["project.poll_failing", "project.poll_recovered"] as const;
export const EVENT_TYPES = [
  ...TRANSITION_EVENT_TYPES,
  ...HEALTH_EVENT_TYPES,
  ...ALERT_EVENT_TYPES,
  ...PROJECT_EVENT_TYPES,
] as const;

export type TransitionEventType = (typeof TRANSITION_EVENT_TYPES)[number];
export type HealthEventType = (typeof HEALTH_EVENT_TYPES)[number];
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];
export type ProjectEventType = (typeof PROJECT_EVENT_TYPES)[number];
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
  /** Where the key came from (`env INTUNED_API_KEY`), never the key. */
  keySource: string;
  error: ErrorInfo;
  observedAt: string;
}

/** A refused key (watcher.unauthorized) is accepted again. */
export interface AuthorizedEventData {
  eventId: string;
  workspaceId: string;
  keySource: string;
  observedAt: string;
}

interface OverdueBase {
  eventId: string;
  /** ISO 8601: when authwatch found the rule due (or the status left). */
  observedAt: string;
  workspaceId: string;
  projectName: string;
  authSessionId: string;
  sessionType: SessionType | null;
  /** The status the rule watches. */
  status: SessionStatus;
  /** ISO 8601: when the session entered `status`. */
  since: string;
  heldForMs: number;
  /** The rule's name. */
  rule: string;
  labels: Labels;
}

export interface OverdueEventData extends OverdueBase {
  /** 0 for the first alert, then 1, 2, … for each reminder. */
  reminder: number;
}

export interface OverdueResolvedEventData extends OverdueBase {
  /** How many overdue events (first alert and reminders) went out for this stretch. */
  reminders: number;
}

export interface ProjectHealthEventData {
  eventId: string;
  workspaceId: string;
  projectName: string;
  /** The last failure; null only if none was recorded. */
  error: ErrorInfo | null;
  /** Consecutive failed list requests. */
  failures: number;
  observedAt: string;
  /** The `projects` entry's labels. */
  labels: Labels;
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
export type AuthorizedEvent = EventOf<"watcher.authorized", AuthorizedEventData>;
export type OverdueEvent = EventOf<"authsession.overdue", OverdueEventData>;
export type OverdueResolvedEvent = EventOf<"authsession.overdue_resolved", OverdueResolvedEventData>;
export type ProjectHealthEvent = EventOf<ProjectEventType, ProjectHealthEventData>;

/** The event body: what a `standard` webhook receives and the console sink logs. */
export type AuthwatchEvent =
  | TransitionEvent
  | PollHealthEvent
  | UnauthorizedEvent
  | AuthorizedEvent
  | OverdueEvent
  | OverdueResolvedEvent
  | ProjectHealthEvent;

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** Events about an API key rather than a session: no project, session or labels. */
export function isKeyEvent(event: AuthwatchEvent): event is UnauthorizedEvent | AuthorizedEvent {
  return event.type === "watcher.unauthorized" || event.type === "watcher.authorized";
}

export function isAlertEvent(event: AuthwatchEvent): event is OverdueEvent | OverdueResolvedEvent {
  return event.type === "authsession.overdue" || event.type === "authsession.overdue_resolved";
}

/** Events about a whole project (its list requests): a project and labels, but no session. */
export function isProjectEvent(event: AuthwatchEvent): event is ProjectHealthEvent {
  return event.type === "project.poll_failing" || event.type === "project.poll_recovered";
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
