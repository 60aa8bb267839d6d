import { describe, expect, it } from "vitest";
import { parseFakeApiConfig } from "../../src/fake-api/config.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";

describe("parseFakeApiConfig", () => {
  it("expands generated sessions with ids from a prefix and offsets spread over spreadMs", () => {
    const options = parseFakeApiConfig({
      apiKeys: ["k"],
      sessions: [{ workspaceId: WS, projectName: "p", authSessionId: "single" }],
      generated: [
        {
          count: 4,
          workspaceId: WS,
          projectName: "bench",
          idPrefix: "s-",
          loop: true,
          timeline: [
            { status: "READY", forMs: 100 },
            { status: "EXPIRED", forMs: 100 },
          ],
          spreadMs: 200,
        },
      ],
      requestLogLimit: 0,
    });
    expect(options.requestLogLimit).toBe(0);
    expect(options.sessions?.map((s) => [s.authSessionId, s.offsetMs ?? 0])).toEqual([
      ["single", 0],
      ["s-0", 0],
      ["s-1", 50],
      ["s-2", 100],
      ["s-3", 150],
    ]);
    expect(options.sessions?.[4]).toMatchObject({ projectName: "bench", loop: true });
  });

  it("accepts every fault kind", () => {
    const faults = [
      { kind: "latency", ms: 5, stage: "body" },
      { kind: "status", status: 429, retryAfter: "2", count: 3 },
      { kind: "reset", afterMs: 10, forMs: 20 },
      { kind: "malformedJson" },
      { kind: "wrongShape", body: [1] },
      { kind: "unknownStatus", status: "X" },
      { kind: "differentId", session: { workspaceId: WS, projectName: "p", authSessionId: "a" } },
    ];
    expect(parseFakeApiConfig({ apiKeys: [], faults }).faults).toEqual(faults);
  });

  it("lists every problem with its path, unknown keys included", () => {
    expect(() =>
      parseFakeApiConfig({ apiKeys: "k", sessionz: [], faults: [{ kind: "status", status: 1000 }] }),
    ).toThrow(/apiKeys: [^\n]+\n.*\n?.*faults\.0\.status/s);
    expect(() => parseFakeApiConfig({ apiKeys: [], sessionz: [] })).toThrow(/sessionz/);
  });
});
