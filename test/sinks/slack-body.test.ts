import { describe, expect, it } from "vitest";
import type { AuthwatchEvent, TransitionEvent } from "../../src/events.js";
import { buildSlackBody, buildSlackText } from "../../src/sinks/slack-body.js";
import { EXPIRED, FIRST_READY, POLL_FAILING, UNAUTHORIZED } from "./fixtures.js";

const AT = Date.parse("2026-11-25T16:00:05.000Z");

function transition(from: string | null, to: string, type: TransitionEvent["type"]): TransitionEvent {
  return { ...EXPIRED, type, data: { ...EXPIRED.data, from, to } };
}

describe("buildSlackText", () => {
  const table: Array<[string, AuthwatchEvent, string]> = [
    [
      "an expiry names the session, the change, how long it was READY and the labels",
      EXPIRED,
      ":red_circle: *my-project/auth-session-123* is EXPIRED (was READY for 3d 4h) · team=growth",
    ],
    [
      "a first observation says so",
      FIRST_READY,
      ":large_green_circle: *billing/billing-login* is READY (first observation)",
    ],
    [
      "a return to READY",
      transition("PENDING", "READY", "authsession.ready"),
      ":large_green_circle: *my-project/auth-session-123* is READY (was PENDING for 3d 4h) · team=growth",
    ],
    [
      "a pending session",
      transition("EXPIRED", "PENDING", "authsession.pending"),
      ":hourglass_flowing_sand: *my-project/auth-session-123* is PENDING (was EXPIRED for 3d 4h) · team=growth",
    ],
    [
      "a vanished session",
      transition("READY", "NOT_FOUND", "authsession.not_found"),
      ":x: *my-project/auth-session-123* is NOT_FOUND (was READY for 3d 4h) · team=growth",
    ],
    [
      "a status authwatch does not know",
      transition("READY", "SUSPENDED", "authsession.unknown_status"),
      ":grey_question: *my-project/auth-session-123* is SUSPENDED, a status authwatch does not know (was READY for 3d 4h) · team=growth",
    ],
    [
      "failing polls give the count and the last error",
      POLL_FAILING,
      ":warning: *my-project/auth-session-123* cannot be polled: 3 failed polls in a row, last error: no answer within 10000ms (GET /123e/projects/my-project/auth-sessions/x) (TIMEOUT) · team=growth, env=prod",
    ],
    [
      "recovered polling",
      { ...POLL_FAILING, type: "authsession.poll_recovered" },
      ":white_check_mark: *my-project/auth-session-123* is polled again after 3 failed polls · team=growth, env=prod",
    ],
    [
      "a refused key names the workspace",
      UNAUTHORIZED,
      ":no_entry: The Intuned API refused the key for workspace 123e4567-e89b-12d3-a456-426614174000: API key refused: HTTP 401; check the key and its workspace",
    ],
  ];
  for (const [what, event, text] of table) {
    it(`reads well for ${what}`, () => {
      expect(buildSlackText(event, AT)).toBe(text);
    });
  }

  it("says how old the news is when the delivery was delayed", () => {
    expect(buildSlackText(EXPIRED, Date.parse(EXPIRED.data.observedAt) + 2 * 3_600_000)).toBe(
      ":red_circle: *my-project/auth-session-123* is EXPIRED (was READY for 3d 4h) · team=growth · observed 2h ago",
    );
  });

  it("escapes Slack markup in names, labels and messages", () => {
    const event: TransitionEvent = {
      ...EXPIRED,
      data: { ...EXPIRED.data, projectName: "a<b>&c", labels: { "<!here>": "x&y" } },
    };
    expect(buildSlackText(event, AT)).toBe(
      ":red_circle: *a&lt;b&gt;&amp;c/auth-session-123* is EXPIRED (was READY for 3d 4h) · &lt;!here&gt;=x&amp;y",
    );
  });

  it("omits a duration it cannot compute instead of printing NaN", () => {
    const event: TransitionEvent = { ...EXPIRED, data: { ...EXPIRED.data, previousSince: null } };
    expect(buildSlackText(event, AT)).toBe(
      ":red_circle: *my-project/auth-session-123* is EXPIRED (was READY) · team=growth",
    );
  });
});

describe("buildSlackBody", () => {
  it("is the JSON object Slack expects, with only a text", () => {
    expect(JSON.parse(buildSlackBody(EXPIRED, AT))).toEqual({ text: buildSlackText(EXPIRED, AT) });
  });
});
