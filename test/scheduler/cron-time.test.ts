import { describe, expect, it } from "vitest";
import { nextCronTime } from "../../src/scheduler/cron-time.js";

const at = (iso: string) => Date.parse(iso);

/** The next `count` fire times after `from`. */
function series(cron: string, timezone: string | undefined, from: number, count: number): string[] {
  const out: string[] = [];
  let after = from;
  for (let i = 0; i < count; i++) {
    const next = nextCronTime(cron, timezone, after);
    if (next === undefined) throw new Error(`no next time after ${new Date(after).toISOString()}`);
    out.push(new Date(next).toISOString());
    after = next;
  }
  return out;
}

describe("nextCronTime", () => {
  it("fires a wall time skipped by spring-forward at the end of the gap (Europe/Berlin)", () => {
    // 2026-03-29: clocks jump from 02:00 CET to 03:00 CEST, so 02:30 does not exist that day.
    expect(series("30 2 * * *", "Europe/Berlin", at("2026-03-28T12:00:00Z"), 3)).toEqual([
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, the first instant after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("keeps 09:00 local across the November change (America/New_York)", () => {
    // 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST.
    expect(series("0 9 * * *", "America/New_York", at("2026-10-31T12:00:00Z"), 3)).toEqual([
      "2026-10-31T13:00:00.000Z", // 09:00 EDT (UTC-4)
      "2026-11-01T14:00:00.000Z", // 09:00 EST (UTC-5)
      "2026-11-02T14:00:00.000Z",
    ]);
  });

  it("fires a repeated wall time once on the fall-back day", () => {
    expect(series("30 1 * * *", "America/New_York", at("2026-10-31T12:00:00Z"), 2)).toEqual([
      "2026-11-01T05:30:00.000Z", // the first 01:30, still EDT
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("returns a time strictly after the given one, even when that is a fire time", () => {
    const fireTime = at("2026-11-25T12:05:00Z");
    expect(nextCronTime("*/5 * * * *", "UTC", fireTime)).toBe(at("2026-11-25T12:10:00Z"));
    expect(nextCronTime("*/5 * * * *", "UTC", fireTime - 1)).toBe(fireTime);
    expect(nextCronTime("*/5 * * * *", "UTC", fireTime + 500)).toBe(at("2026-11-25T12:10:00Z"));
  });

  it("honours weekdays and hours in the session's zone", () => {
    // Friday 2026-11-27 17:57 in Berlin: the next weekday slot is Monday 09:00 CET.
    expect(series("*/5 9-17 * * 1-5", "Europe/Berlin", at("2026-11-27T16:57:00Z"), 2)).toEqual([
      "2026-11-30T08:00:00.000Z",
      "2026-11-30T08:05:00.000Z",
    ]);
  });

  it("returns undefined for an invalid expression, an unknown zone, or a date that never comes", () => {
    const now = at("2026-11-25T12:00:00Z");
    expect(nextCronTime("not a cron", "UTC", now)).toBeUndefined();
    expect(nextCronTime("0 9 * * *", "Mars/Olympus_Mons", now)).toBeUndefined();
    expect(nextCronTime("0 0 30 2 *", "UTC", now)).toBeUndefined();
  });
});
