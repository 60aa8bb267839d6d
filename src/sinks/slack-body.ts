import { describeOverdue } from "../alerts/describe-overdue.js";
import { formatDuration } from "../duration.js";
import {
  type AuthwatchEvent,
  type EventType,
  isAlertEvent,
  isProjectEvent,
  isTransitionEvent,
  type Labels,
  type PollHealthEvent,
  type TransitionEvent,
} from "../events.js";

const EMOJI: Record<EventType, string> = {
  "authsession.pending": ":hourglass_flowing_sand:",
  "authsession.ready": ":large_green_circle:",
  "authsession.expired": ":red_circle:",
  "authsession.not_found": ":x:",
  "authsession.unknown_status": ":grey_question:",
  "authsession.poll_failing": ":warning:",
  "authsession.poll_recovered": ":white_check_mark:",
  "watcher.unauthorized": ":no_entry:",
  "watcher.authorized": ":key:",
  "authsession.overdue": ":alarm_clock:",
  "authsession.overdue_resolved": ":white_check_mark:",
  "project.poll_failing": ":warning:",
  "project.poll_recovered": ":white_check_mark:",
};

/** Deliveries retried for this long say how old the news is, so nobody acts on a stale "READY". */
const STALE_AFTER_MS = 60_000;

/** The JSON body of a Slack incoming webhook. */
export function buildSlackBody(event: AuthwatchEvent, now: number): string {
  return JSON.stringify({ text: buildSlackText(event, now) });
}

/**
 * One line a person reads in a channel, e.g.
 * `:red_circle: *my-project/auth-session-123* is EXPIRED (was READY for 3d 4h) · team=growth`.
 * `now` is the send time: a delivery that waited in the outbox says when the change was observed.
 */
export function buildSlackText(event: AuthwatchEvent, now: number): string {
  const emoji = EMOJI[event.type];
  if (event.type === "watcher.unauthorized") {
    const { workspaceId, error } = event.data;
    return `${emoji} The Intuned API refused the key for workspace ${escapeMrkdwn(workspaceId)}: ${escapeMrkdwn(error.message)}${staleness(event.data.observedAt, now)}`;
  }
  if (event.type === "watcher.authorized") {
    const { workspaceId, keySource } = event.data;
    return `${emoji} The Intuned API accepts the key for workspace ${escapeMrkdwn(workspaceId)} again (${escapeMrkdwn(keySource)})${staleness(event.data.observedAt, now)}`;
  }
  if (isProjectEvent(event)) {
    const { projectName, failures, error, labels, observedAt } = event.data;
    const lists = failures === 1 ? "1 failed list request" : `${failures} failed list requests`;
    const text =
      event.type === "project.poll_recovered"
        ? `is listed again after ${lists}`
        : `cannot be listed: ${lists} in a row${error ? `, last error: ${escapeMrkdwn(error.message)} (${escapeMrkdwn(error.code)})` : ""}; its sessions are unchanged until it can`;
    return `${emoji} project *${escapeMrkdwn(projectName)}* ${text}${labelText(labels)}${staleness(observedAt, now)}`;
  }
  const session = `*${escapeMrkdwn(event.data.projectName)}/${escapeMrkdwn(event.data.authSessionId)}*`;
  const tail = `${labelText(event.data.labels)}${staleness(event.data.observedAt, now)}`;
  if (isAlertEvent(event)) return `${emoji} ${session} ${escapeMrkdwn(describeOverdue(event))}${tail}`;
  if (!isTransitionEvent(event)) return `${emoji} ${session} ${healthText(event)}${tail}`;
  return `${emoji} ${session} is ${escapeMrkdwn(event.data.to)}${previousText(event)}${tail}`;
}

function previousText(event: TransitionEvent): string {
  const { from, previousSince, observedAt } = event.data;
  if (from === null) return " (first observation)";
  const held = previousSince === null ? Number.NaN : Date.parse(observedAt) - Date.parse(previousSince);
  const known = event.type === "authsession.unknown_status" ? ", a status authwatch does not know" : "";
  return Number.isFinite(held) && held >= 0
    ? `${known} (was ${escapeMrkdwn(from)} for ${formatDuration(held)})`
    : `${known} (was ${escapeMrkdwn(from)})`;
}

function healthText(event: PollHealthEvent): string {
  const { failures, error } = event.data;
  const polls = failures === 1 ? "1 failed poll" : `${failures} failed polls`;
  if (event.type === "authsession.poll_recovered") return `is polled again after ${polls}`;
  const last = error ? `, last error: ${escapeMrkdwn(error.message)} (${escapeMrkdwn(error.code)})` : "";
  return `cannot be polled: ${polls} in a row${last}`;
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${escapeMrkdwn(key)}=${escapeMrkdwn(value)}`);
  return pairs.length === 0 ? "" : ` · ${pairs.join(", ")}`;
}

function staleness(observedAt: string, now: number): string {
  const age = now - Date.parse(observedAt);
  return Number.isFinite(age) && age >= STALE_AFTER_MS ? ` · observed ${formatDuration(age)} ago` : "";
}

/** Slack reads `&`, `<` and `>` as markup (links, mentions); names and API messages must stay text. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
