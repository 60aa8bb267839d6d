import type { AuthwatchEvent } from "../events.js";
import { describeForPeople } from "./people-text.js";

/** Discord allows 2,000 characters in `content`. */
const DISCORD_MAX = 2_000;

const MARK: Readonly<Record<string, string>> = {
  "authsession.expired": "🔴",
  "authsession.not_found": "❌",
  "authsession.overdue": "⏰",
  "authsession.poll_failing": "⚠️",
  "project.poll_failing": "⚠️",
  "watcher.unauthorized": "⛔",
  "authsession.ready": "🟢",
  "authsession.poll_recovered": "✅",
  "project.poll_recovered": "✅",
  "authsession.overdue_resolved": "✅",
  "watcher.authorized": "✅",
};

/** One line for a Discord channel: `🔴 my-project/auth-session-123 is EXPIRED (was READY for 3d 4h) · team=growth`. */
export function buildDiscordText(event: AuthwatchEvent, now: number): string {
  const { headline, facts } = describeForPeople(event, now);
  const labels = facts.find(([label]) => label === "Labels")?.[1];
  return `${MARK[event.type] ?? "ℹ️"} ${escapeDiscord(headline)}${labels ? ` · ${escapeDiscord(labels)}` : ""}`;
}

/** `{"content": …}`; nobody is pinged, whatever a session or label is called (`@everyone`). */
export function buildDiscordBody(text: string): string {
  const content = text.length > DISCORD_MAX ? `${text.slice(0, DISCORD_MAX - 1)}…` : text;
  return JSON.stringify({ content, allowed_mentions: { parse: [] } });
}

/**
 * A Microsoft Teams message with an Adaptive Card, as Teams workflows (Power Automate "When a Teams
 * webhook request is received") and incoming webhooks accept it: the headline, then the facts. A
 * template's text replaces both.
 */
export function buildTeamsBody(event: AuthwatchEvent, now: number, text?: string): string {
  const { headline, facts } = describeForPeople(event, now);
  const body =
    text !== undefined
      ? [{ type: "TextBlock", text, wrap: true }]
      : [
          { type: "TextBlock", text: headline, wrap: true, weight: "Bolder", size: "Medium" },
          { type: "FactSet", facts: facts.map(([title, value]) => ({ title, value })) },
        ];
  return JSON.stringify({
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
        },
      },
    ],
  });
}

/** Session names and ids may hold `_` or `*`; they must read as text, not as formatting. */
function escapeDiscord(text: string): string {
  return text.replace(/([\\*_~`|>])/g, "\\$1");
}
