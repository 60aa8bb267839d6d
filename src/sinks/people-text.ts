import { formatDuration } from "../duration.js";
import type { AuthwatchEvent } from "../events.js";

/**
 * Plain text about any event for a person: the headline ("my-project/auth-session-123 is EXPIRED
 * (was READY for 3d 4h)") and the facts behind it. Driven by the type string and read defensively,
 * so event types added later (overdue, project.*) read well here without a change to every sink.
 */
export interface PeopleText {
  headline: string;
  /** Ordered label → value pairs: session, workspace, when, labels, error. */
  facts: Array<[string, string]>;
}

type Data = Record<string, unknown>;

export function describeForPeople(event: AuthwatchEvent, now: number): PeopleText {
  const data = event.data as unknown as Data;
  return { headline: headline(event.type, data) + staleness(data, now), facts: facts(event.type, data) };
}

/** `my-project/auth-session-123`, `project my-project`, or `workspace …`: what the event is about. */
export function subjectOf(event: AuthwatchEvent): string {
  const data = event.data as unknown as Data;
  const project = text(data.projectName);
  const session = text(data.authSessionId);
  if (project && session) return `${project}/${session}`;
  if (project) return `project ${project}`;
  return `workspace ${text(data.workspaceId) ?? "?"}`;
}

function headline(type: string, data: Data): string {
  const project = text(data.projectName);
  const session = text(data.authSessionId);
  const who = project && session ? `${project}/${session}` : project ? `Project ${project}` : undefined;
  const workspace = text(data.workspaceId) ?? "?";
  const failures = typeof data.failures === "number" ? data.failures : undefined;
  const polls =
    failures === undefined ? "failed polls" : failures === 1 ? "1 failed poll" : `${failures} failed polls`;
  const error = errorOf(data);
  switch (type) {
    case "watcher.unauthorized":
      return `The Intuned API refused the key for workspace ${workspace}${error ? `: ${error.message}` : ""}`;
    case "watcher.authorized":
      return `The Intuned API accepts the key for workspace ${workspace} again`;
    case "authsession.poll_failing":
    case "project.poll_failing":
      return `${who ?? workspace} cannot be polled: ${polls} in a row${error ? `, last error: ${error.message} (${error.code})` : ""}`;
    case "authsession.poll_recovered":
    case "project.poll_recovered":
      return `${who ?? workspace} is polled again after ${polls}`;
    case "authsession.overdue":
      return `${who ?? workspace} has been ${text(data.status) ?? "in one status"}${heldFor(data)}${rule(data)}`;
    case "authsession.overdue_resolved":
      return `${who ?? workspace} is no longer ${text(data.status) ?? "overdue"}${heldFor(data, "after")}${rule(data)}`;
  }
  const to = text(data.to);
  if (to === undefined) return `${type} ${who ?? workspace}`;
  const known = type === "authsession.unknown_status" ? ", a status authwatch does not know" : "";
  return `${who ?? workspace} is ${to}${known}${previous(data)}`;
}

function previous(data: Data): string {
  const from = text(data.from);
  if (from === undefined) return " (first observation)";
  const held = Date.parse(String(data.observedAt)) - Date.parse(String(data.previousSince));
  return Number.isFinite(held) && held >= 0 ? ` (was ${from} for ${formatDuration(held)})` : ` (was ${from})`;
}

function heldFor(data: Data, word = "for"): string {
  return typeof data.heldForMs === "number" ? ` ${word} ${formatDuration(data.heldForMs)}` : "";
}

function rule(data: Data): string {
  const name = text(data.rule);
  return name ? ` (rule ${name})` : "";
}

function facts(type: string, data: Data): Array<[string, string]> {
  const result: Array<[string, string]> = [["Event", type]];
  const add = (label: string, value: unknown) => {
    const value_ = text(value);
    if (value_ !== undefined) result.push([label, value_]);
  };
  add("Project", data.projectName);
  add("Session", data.authSessionId);
  add("Workspace", data.workspaceId);
  if (text(data.to) !== undefined)
    add("Status", data.from ? `${text(data.from)} → ${text(data.to)}` : data.to);
  add("Observed", data.observedAt);
  const error = errorOf(data);
  if (error) result.push(["Error", `${error.message} (${error.code})`]);
  if (typeof data.labels === "object" && data.labels !== null) {
    const pairs = Object.entries(data.labels as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`);
    if (pairs.length > 0) result.push(["Labels", pairs.join(", ")]);
  }
  return result;
}

/** Deliveries retried for this long say how old the news is, so nobody acts on a stale "READY". */
const STALE_AFTER_MS = 60_000;

function staleness(data: Data, now: number): string {
  const age = now - Date.parse(String(data.observedAt));
  return Number.isFinite(age) && age >= STALE_AFTER_MS ? ` · observed ${formatDuration(age)} ago` : "";
}

function errorOf(data: Data): { code: string; message: string } | undefined {
  const error = data.error as { code?: unknown; message?: unknown } | undefined | null;
  if (!error || typeof error !== "object") return undefined;
  return { code: String(error.code ?? "?"), message: String(error.message ?? "") };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
