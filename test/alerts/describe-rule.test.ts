import { describe, expect, it } from "vitest";
import { describeRule, describeWindow, durationInWords } from "../../src/alerts/describe-rule.js";

describe("rules in words", () => {
  it("says when a rule alerts and how often it reminds", () => {
    expect(
      describeRule({
        name: "stuck",
        status: "PENDING",
        forMs: 15 * 60_000,
        repeatMs: 3_600_000,
        match: undefined,
      }),
    ).toBe("alerts when a session has been PENDING for 15 minutes, then every hour");
    expect(
      describeRule({
        name: "still-expired",
        status: "EXPIRED",
        forMs: 3_600_000,
        repeatMs: 4 * 3_600_000,
        match: { labels: { team: "growth" } },
      }),
    ).toBe("alerts when a session labelled team=growth has been EXPIRED for 1 hour, then every 4 hours");
    expect(
      describeRule({
        name: "gone",
        status: "NOT_FOUND",
        forMs: 90_000,
        repeatMs: undefined,
        match: { project: "billing" },
      }),
    ).toBe("alerts when a session of project billing has been NOT_FOUND for 1 minute 30 seconds, once");
  });

  it("says what a maintenance window silences and when", () => {
    expect(
      describeWindow({
        name: "w",
        cron: "0 2 * * 0",
        timezone: "Europe/Berlin",
        durationMs: 7_200_000,
        match: { project: "billing" },
      }),
    ).toBe('silences every session of project billing for 2 hours from each "0 2 * * 0" (Europe/Berlin)');
    expect(durationInWords(86_400_000 + 3_600_000)).toBe("1 day 1 hour");
  });
});
