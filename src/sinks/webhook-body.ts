import type { AuthwatchEvent } from "../events.js";
import { buildDiscordBody, buildDiscordText, buildTeamsBody } from "./chat-bodies.js";
import { describeForPeople } from "./people-text.js";
import { buildSlackBody, buildSlackText } from "./slack-body.js";
import type { WebhookFormat } from "./webhook-kind.js";

/**
 * The built-in text a person reads in a format, which a `template` replaces; undefined for `standard`,
 * whose body is the event itself.
 */
export function builtInWebhookText(
  format: WebhookFormat,
  event: AuthwatchEvent,
  now: number,
): string | undefined {
  switch (format) {
    case "standard":
      return undefined;
    case "slack":
      return buildSlackText(event, now);
    case "discord":
      return buildDiscordText(event, now);
    case "teams":
      return describeForPeople(event, now).headline;
  }
}

/**
 * The exact request body for a webhook format. `standard` is the event body of contract §3 as is:
 * receivers verify the signature over these bytes, so nothing may be added or reordered. `text` is a
 * rendered template; without it each format writes its built-in text.
 */
export function buildWebhookBody(
  format: WebhookFormat,
  event: AuthwatchEvent,
  now: number,
  text?: string,
): string {
  switch (format) {
    case "standard":
      return JSON.stringify(event);
    case "slack":
      return text === undefined ? buildSlackBody(event, now) : JSON.stringify({ text });
    case "discord":
      return buildDiscordBody(text ?? buildDiscordText(event, now));
    case "teams":
      return buildTeamsBody(event, now, text);
  }
}
