import type { WebhookSinkConfig } from "../config/types.js";
import type { AuthwatchEvent } from "../events.js";
import { buildSlackBody } from "./slack-body.js";

/**
 * The exact request body for a webhook format. `standard` is the event body of docs/events.md as is:
 * receivers verify the signature over these bytes, so nothing may be added or reordered.
 */
export function buildWebhookBody(
  format: WebhookSinkConfig["format"],
  event: AuthwatchEvent,
  now: number,
): string {
  return format === "slack" ? buildSlackBody(event, now) : JSON.stringify(event);
}
