import { describe, expect, it } from "vitest";
import { createTimeline, timelineStatusAt } from "../../src/fake-api/timeline.js";

describe("timeline", () => {
  const demo = createTimeline(
    [
      { status: "PENDING", forMs: 100 },
      { status: "READY", forMs: 200 },
      { status: "EXPIRED", forMs: 50 },
    ],
    true,
  );

  it("walks the steps by their durations", () => {
    expect(timelineStatusAt(demo, 0)).toBe("PENDING");
    expect(timelineStatusAt(demo, 99)).toBe("PENDING");
    expect(timelineStatusAt(demo, 100)).toBe("READY");
    expect(timelineStatusAt(demo, 299)).toBe("READY");
    expect(timelineStatusAt(demo, 300)).toBe("EXPIRED");
  });

  it("starts over after the last step when it loops", () => {
    expect(timelineStatusAt(demo, 350)).toBe("PENDING");
    expect(timelineStatusAt(demo, 350 * 4 + 120)).toBe("READY");
  });

  it("stays on the last step when it does not loop", () => {
    const once = createTimeline([
      { status: "PENDING", forMs: 10 },
      { status: "NOT_FOUND", forMs: 10 },
    ]);
    expect(timelineStatusAt(once, 15)).toBe("NOT_FOUND");
    expect(timelineStatusAt(once, 10_000)).toBe("NOT_FOUND");
  });

  it("holds a step without forMs for ever", () => {
    const held = createTimeline([
      { status: "PENDING", forMs: 10 },
      { status: "READY" },
      { status: "EXPIRED" },
    ]);
    expect(timelineStatusAt(held, 1e9)).toBe("READY");
  });

  it("treats a negative elapsed time as the start", () => {
    expect(timelineStatusAt(demo, -40)).toBe("PENDING");
  });

  it("rejects an empty script, a negative duration and a loop that cannot advance", () => {
    expect(() => createTimeline([])).toThrow(RangeError);
    expect(() => createTimeline([{ status: "READY", forMs: -1 }])).toThrow(RangeError);
    expect(() => createTimeline([{ status: "READY", forMs: 10 }, { status: "EXPIRED" }], true)).toThrow(
      RangeError,
    );
    expect(() => createTimeline([{ status: "READY", forMs: 0 }], true)).toThrow(RangeError);
  });
});
