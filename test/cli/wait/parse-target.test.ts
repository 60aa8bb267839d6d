import { describe, expect, it } from "vitest";
import { parseWaitStatus, parseWaitTarget } from "../../../src/cli/wait/parse-target.js";
import { UsageError } from "../../../src/errors/usage-error.js";

describe("parseWaitTarget", () => {
  it("splits PROJECT/SESSION_ID", () => {
    expect(parseWaitTarget("my-project/auth-session-123")).toEqual({
      projectName: "my-project",
      authSessionId: "auth-session-123",
    });
  });

  it("accepts every character the spec allows in an id", () => {
    expect(parseWaitTarget("p/a(b),c_d-1").authSessionId).toBe("a(b),c_d-1");
  });

  it.each([
    ["foo", /"foo" has no "\/"/],
    ["a/b/c", /"a\/b\/c" has more than one "\/"/],
    ["/auth-session-123", /empty project/],
    ["p/ab", /session id "ab" must be 3 or more/],
    ["p/has space", /session id "has space"/],
    ["p/", /session id ""/],
  ])("rejects %j as a usage error that quotes it", (argument, message) => {
    expect(() => parseWaitTarget(argument)).toThrow(UsageError);
    expect(() => parseWaitTarget(argument)).toThrow(message);
  });
});

describe("parseWaitStatus", () => {
  it("accepts the four statuses in any case", () => {
    expect(["PENDING", "ready", "Expired", "not_found"].map(parseWaitStatus)).toEqual([
      "PENDING",
      "READY",
      "EXPIRED",
      "NOT_FOUND",
    ]);
  });

  it("rejects anything else", () => {
    expect(parseWaitStatus("SUSPENDED")).toBeUndefined();
    expect(parseWaitStatus("")).toBeUndefined();
  });
});
