import type { SinkConfig, SinkMatch } from "../config/types.js";
import { type AuthwatchEvent, isKeyEvent, type Labels } from "../events.js";

/**
 * Whether a sink receives an event: its `events` list (absent: every type, health events included)
 * and every key of its `match` must hold.
 *
 * `watcher.unauthorized` belongs to an API key, not to a session, so it has no project, session or
 * labels. A sink whose `match` names any of them does not receive it (it cannot tell whether the key
 * concerns its sessions); route it to a sink without `match`, e.g. the console or an on-call webhook.
 * An empty `match` (`{}` or `labels: {}`) constrains nothing.
 */
export function sinkWants(config: SinkConfig, event: AuthwatchEvent): boolean {
  if (config.events !== undefined && !config.events.includes(event.type)) return false;
  return config.match === undefined || matches(config.match, event);
}

function matches(match: SinkMatch, event: AuthwatchEvent): boolean {
  const session = isKeyEvent(event) ? undefined : event.data;
  if (match.project !== undefined && session?.projectName !== match.project) return false;
  // A project event stands for every session of the project, so it has no one session to match.
  const id = session && "authSessionId" in session ? session.authSessionId : undefined;
  if (match.authSessionId !== undefined && id !== match.authSessionId) return false;
  if (match.labels !== undefined && !hasLabels(session?.labels, match.labels)) return false;
  return true;
}

/** Subset match: every wanted label is present with the same value; other labels do not matter. */
function hasLabels(labels: Labels | undefined, wanted: Labels): boolean {
  return Object.entries(wanted).every(
    ([key, value]) => labels !== undefined && Object.hasOwn(labels, key) && labels[key] === value,
  );
}
