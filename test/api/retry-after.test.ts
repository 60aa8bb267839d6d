import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/api/retry-after.js";

const NOW = Date.UTC(2026, 10, 25, 16, 0, 0);

describe("parseRetryAfter", () => {
  it("reads delay-seconds as milliseconds", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
  });

  it("reads an HTTP date relative to now", () => {
    expect(parseRetryAfter("Wed, 25 Nov 2026 16:00:30 GMT", NOW)).toBe(30_000);
  });

  it("clamps a date in the past and a negative number to zero", () => {
    expect(parseRetryAfter("Wed, 25 Nov 2026 15:59:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("-5", NOW)).toBe(0);
  });

  it("takes the first value when the header came more than once", () => {
    expect(parseRetryAfter(["3", "60"], NOW)).toBe(3000);
  });

  it("accepts fractional seconds, rounding to a millisecond", () => {
    expect(parseRetryAfter("1.5", NOW)).toBe(1500);
  });

  it.each([
    ["an absent header", undefined],
    ["an empty header", ""],
    ["words", "soon"],
    ["a bare number that Date.parse would take for a year", "2026.5.7"],
    ["an empty array", []],
  ])("returns undefined for %s", (_name, header) => {
    expect(parseRetryAfter(header as string | string[] | undefined, NOW)).toBeUndefined();
  });
});
