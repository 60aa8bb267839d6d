import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../src/duration.js";

describe("parseDuration", () => {
  it("reads one unit, integer milliseconds, and compounds from the largest unit down", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1.5s")).toBe(1_500);
    expect(parseDuration("1m")).toBe(60_000);
    expect(parseDuration("600")).toBe(600);
    expect(parseDuration(600)).toBe(600);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("2d12h")).toBe(216_000_000);
    expect(parseDuration("1m30s250ms")).toBe(90_250);
    expect(parseDuration(" 1m30s ")).toBe(90_000);
  });

  it("rejects units out of order or repeated, spaces inside, and anything else", () => {
    for (const text of ["30s1m", "1m1m", "1m 30s", "", "m", "1x", "-1s", "1.s", "1m30"]) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });

  it("reads back what formatDuration writes once the space is dropped", () => {
    for (const ms of [90_000, 5_400_000, 216_000_000]) {
      expect(parseDuration(formatDuration(ms).replace(/ /g, ""))).toBe(ms);
    }
  });
});
