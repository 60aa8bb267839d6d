import { formatDuration } from "../duration.js";
import type { OverdueEvent, OverdueResolvedEvent } from "../events.js";

/**
 * The words for an overdue event, shared by the console and Slack sinks, e.g.
 * `has been PENDING for 1h 15m (rule stuck-pending, reminder 1)`.
 */
export function describeOverdue(event: OverdueEvent | OverdueResolvedEvent): string {
  const { status, heldForMs, rule } = event.data;
  const held = formatDuration(Math.max(0, heldForMs));
  if (event.type === "authsession.overdue") {
    const which = event.data.reminder === 0 ? "" : `, reminder ${event.data.reminder}`;
    return `has been ${status} for ${held} (rule ${rule}${which})`;
  }
  return `is no longer ${status}, after ${held} (rule ${rule})`;
}
