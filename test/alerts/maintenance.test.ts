import { describe, expect, it } from "vitest";
import { activeOccurrence, nextOccurrenceStart } from "../../src/alerts/maintenance.js";
import type { MaintenanceWindow } from "../../src/config/types.js";

const HOUR = 3_600_000;
const sundayRotation: MaintenanceWindow = {
  name: "sunday-rotation",
  cron: "0 2 * * 0",
  timezone: "Europe/Berlin",
  durationMs: 2 * HOUR,
  match: { project: "billing" },
};

describe("maintenance windows", () => {
  it("hold from each cron time in their time zone for their duration", () => {
    // Sunday 2026-11-29 02:00 in Berlin (CET, UTC+1) is 01:00 UTC.
    const opens = Date.UTC(2026, 10, 29, 1, 0, 0);
    expect(activeOccurrence(sundayRotation, opens - 1)).toBeUndefined();
    expect(activeOccurrence(sundayRotation, opens)).toMatchObject({
      id: "maintenance:sunday-rotation",
      startsAt: opens,
      endsAt: opens + 2 * HOUR,
      match: { project: "billing" },
    });
    expect(activeOccurrence(sundayRotation, opens + 2 * HOUR - 1)?.endsAt).toBe(opens + 2 * HOUR);
    expect(activeOccurrence(sundayRotation, opens + 2 * HOUR)).toBeUndefined();
    expect(nextOccurrenceStart(sundayRotation, opens)).toBe(opens + 7 * 24 * HOUR);
  });

  it("on the spring-forward Sunday, a 02:00 window opens at the end of the gap and lasts its real duration", () => {
    // 2026-03-29: Berlin skips 02:00-03:00; 03:00 CEST is 01:00 UTC.
    const endOfGap = Date.UTC(2026, 2, 29, 1, 0, 0);
    const occurrence = activeOccurrence(sundayRotation, endOfGap + 30 * 60_000);
    expect(occurrence?.startsAt).toBe(endOfGap);
    expect(occurrence?.endsAt).toBe(endOfGap + 2 * HOUR);
    expect(activeOccurrence(sundayRotation, endOfGap - 1)).toBeUndefined();
  });

  it("on the fall-back Sunday, a window in the repeated hour opens once", () => {
    // 2026-10-25: Berlin repeats 02:00-03:00; the first 02:30 CEST is 00:30 UTC, the second 01:30 UTC.
    const window = { ...sundayRotation, cron: "30 2 * * 0", durationMs: 30 * 60_000 };
    const first = Date.UTC(2026, 9, 25, 0, 30, 0);
    expect(activeOccurrence(window, first)?.startsAt).toBe(first);
    expect(activeOccurrence(window, first + HOUR + 60_000)).toBeUndefined();
    expect(nextOccurrenceStart(window, first)).toBe(first + 7 * 24 * HOUR + HOUR);
  });

  it("overlapping occurrences hold until the last one ends", () => {
    const hourly: MaintenanceWindow = {
      ...sundayRotation,
      cron: "0 * * * *",
      timezone: "UTC",
      durationMs: 90 * 60_000,
    };
    const at = Date.UTC(2026, 10, 25, 12, 10, 0);
    expect(activeOccurrence(hourly, at)?.endsAt).toBe(Date.UTC(2026, 10, 25, 13, 30, 0));
  });
});
