import { createHash } from "node:crypto";
import type { AuthwatchEvent } from "../events.js";
import { describeForPeople, subjectOf } from "./people-text.js";

/**
 * Contract §9: which events open a PagerDuty incident and which close it. By type string, so the
 * event types other parts add (overdue, project.*, authorized) need no other change here.
 */
export const PAGERDUTY_ACTIONS: Readonly<Record<string, "trigger" | "resolve">> = {
  "authsession.expired": "trigger",
  "authsession.not_found": "trigger",
  "authsession.overdue": "trigger",
  "authsession.poll_failing": "trigger",
  "project.poll_failing": "trigger",
  "watcher.unauthorized": "trigger",
  "authsession.ready": "resolve",
  "authsession.poll_recovered": "resolve",
  "authsession.overdue_resolved": "resolve",
  "project.poll_recovered": "resolve",
  "watcher.authorized": "resolve",
};

const SEVERITY: Readonly<Record<string, "critical" | "error" | "warning">> = {
  "authsession.expired": "critical",
  "authsession.not_found": "critical",
  "authsession.overdue": "error",
  "watcher.unauthorized": "error",
  "authsession.poll_failing": "warning",
  "project.poll_failing": "warning",
};

type Data = Record<string, unknown>;

/**
 * One incident per thing that can be wrong, so that the event that ends it resolves exactly that one:
 * a session's status (expired/not_found → ready), its polling, each overdue rule, a project's polling,
 * a key. A session's status and its polling are kept apart because `poll_recovered` must not close the
 * incident of a session that is still EXPIRED. Parts are URI-encoded so no two subjects can collide.
 */
export function pagerDutyDedupKey(event: AuthwatchEvent): string {
  const data = event.data as unknown as Data;
  const part = (value: unknown) => encodeURIComponent(typeof value === "string" ? value : "");
  const session = `${part(data.workspaceId)}/${part(data.projectName)}/${part(data.authSessionId)}`;
  let key: string;
  if (event.type.startsWith("watcher."))
    key = `authwatch:key:${part(data.workspaceId)}/${part(data.keySource)}`;
  else if (event.type.startsWith("project."))
    key = `authwatch:project-polling:${part(data.workspaceId)}/${part(data.projectName)}`;
  else if (event.type.includes("poll_")) key = `authwatch:polling:${session}`;
  else if (event.type.includes("overdue")) key = `authwatch:overdue:${session}/${part(data.rule)}`;
  else key = `authwatch:status:${session}`;
  // PagerDuty allows 255 characters; a longer key is still stable as a hash.
  return key.length <= 255 ? key : `authwatch:sha256:${createHash("sha256").update(key).digest("hex")}`;
}

export interface PagerDutyBodyInput {
  routingKey: string;
  event: AuthwatchEvent;
  now: number;
}

/** The Events API v2 body for an event, or undefined when the event neither opens nor closes anything. */
export function buildPagerDutyBody(input: PagerDutyBodyInput): Record<string, unknown> | undefined {
  const { event, routingKey } = input;
  const action = PAGERDUTY_ACTIONS[event.type];
  if (action === undefined) return undefined;
  const dedupKey = pagerDutyDedupKey(event);
  if (action === "resolve") return { routing_key: routingKey, event_action: "resolve", dedup_key: dedupKey };
  const data = event.data as unknown as Data;
  const people = describeForPeople(event, input.now);
  const labels = (typeof data.labels === "object" && data.labels !== null ? data.labels : {}) as Record<
    string,
    string
  >;
  const summary = people.headline;
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: dedupKey,
    client: "authwatch",
    payload: {
      summary: summary.length > 1024 ? `${summary.slice(0, 1023)}…` : summary,
      source: subjectOf(event),
      severity: SEVERITY[event.type] ?? "warning",
      timestamp: typeof data.observedAt === "string" ? data.observedAt : event.timestamp,
      component: typeof data.projectName === "string" ? data.projectName : undefined,
      group: typeof data.workspaceId === "string" ? data.workspaceId : undefined,
      class: event.type,
      custom_details: { ...Object.fromEntries(people.facts), labels, eventId: data.eventId },
    },
    // A label whose value is a URL (a runbook, a dashboard) is a link on the incident.
    links: Object.entries(labels)
      .filter(([, value]) => /^https?:\/\//.test(value))
      .map(([text, href]) => ({ href, text })),
  };
}
