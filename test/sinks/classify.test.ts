import { errors } from "undici";
import { describe, expect, it } from "vitest";
import { classifyError, classifyHttpStatus } from "../../src/sinks/classify.js";

const NOW = Date.UTC(2026, 10, 25, 16, 0, 0);

describe("classifyHttpStatus", () => {
  const table: Array<[number, string]> = [
    [200, "delivered"],
    [201, "delivered"],
    [202, "delivered"],
    [204, "delivered"],
    [299, "delivered"],
    [301, "permanent"],
    [302, "permanent"],
    [304, "permanent"],
    [307, "permanent"],
    [308, "permanent"],
    [400, "permanent"],
    [401, "permanent"],
    [403, "permanent"],
    [404, "permanent"],
    [408, "retry"],
    [409, "permanent"],
    [410, "disable"],
    [413, "permanent"],
    [422, "permanent"],
    [429, "retry"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"],
    [504, "retry"],
    [599, "retry"],
  ];
  for (const [status, kind] of table) {
    it(`classifies HTTP ${status} as ${kind}`, () => {
      const outcome = classifyHttpStatus(status, {}, NOW);
      expect(outcome.kind).toBe(kind);
      if (outcome.kind === "delivered") expect(outcome.status).toBe(status);
      else expect(outcome.error.code).toBe(`HTTP_${status}`);
    });
  }

  it("reads Retry-After as seconds", () => {
    expect(classifyHttpStatus(429, { "retry-after": "30" }, NOW)).toMatchObject({
      kind: "retry",
      retryAfterMs: 30_000,
    });
  });

  it("reads Retry-After as an HTTP date relative to now", () => {
    const header = new Date(NOW + 5 * 60_000).toUTCString();
    expect(classifyHttpStatus(503, { "retry-after": header }, NOW)).toMatchObject({ retryAfterMs: 300_000 });
  });

  it("treats a Retry-After date in the past as now", () => {
    const header = new Date(NOW - 60_000).toUTCString();
    expect(classifyHttpStatus(503, { "retry-after": header }, NOW)).toMatchObject({ retryAfterMs: 0 });
  });

  it("leaves retryAfterMs out when Retry-After is absent or unreadable", () => {
    expect(classifyHttpStatus(503, {}, NOW)).not.toHaveProperty("retryAfterMs");
    expect(classifyHttpStatus(503, { "retry-after": "soon" }, NOW)).not.toHaveProperty("retryAfterMs");
  });

  it("ignores Retry-After on answers that are not retried", () => {
    expect(classifyHttpStatus(410, { "retry-after": "30" }, NOW)).not.toHaveProperty("retryAfterMs");
  });

  it("tells the user to point a redirected sink at the final URL", () => {
    expect(classifyHttpStatus(301, { location: "https://elsewhere.example/x" }, NOW)).toEqual({
      kind: "permanent",
      error: {
        code: "HTTP_301",
        message: "HTTP 301 Moved Permanently: redirects are not followed; point the sink at the final URL",
      },
    });
  });

  it("says a 410 disables the sink", () => {
    expect(classifyHttpStatus(410, {}, NOW)).toEqual({
      kind: "disable",
      error: {
        code: "HTTP_410",
        message: "HTTP 410 Gone: the receiver is gone; sink disabled until its config changes",
      },
    });
  });
});

describe("classifyError", () => {
  const timeouts: Array<[string, unknown]> = [
    ["undici's headers timeout", new errors.HeadersTimeoutError()],
    ["undici's body timeout", new errors.BodyTimeoutError()],
    ["undici's connect timeout", new errors.ConnectTimeoutError()],
    ["an AbortSignal.timeout reason", new DOMException("The operation timed out.", "TimeoutError")],
    ["a socket ETIMEDOUT", Object.assign(new Error("connect ETIMEDOUT 10.0.0.1:443"), { code: "ETIMEDOUT" })],
  ];
  for (const [what, error] of timeouts) {
    it(`retries ${what} as TIMEOUT`, () => {
      expect(classifyError(error, { timeoutMs: 10_000 })).toEqual({
        kind: "retry",
        error: { code: "TIMEOUT", message: "no complete answer within 10s" },
      });
    });
  }

  it("retries a refused connection as NETWORK_ERROR naming the code", () => {
    const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(classifyError(error)).toEqual({
      kind: "retry",
      error: { code: "NETWORK_ERROR", message: "connection failed: connection refused (ECONNREFUSED)" },
    });
  });

  it("finds the code of a Happy Eyeballs AggregateError and of a wrapped cause", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED ::1:9"), { code: "ECONNREFUSED" });
    expect(classifyError(new AggregateError([refused], "")).kind).toBe("retry");
    expect(JSON.stringify(classifyError(new AggregateError([refused], "")))).toContain("ECONNREFUSED");
    expect(JSON.stringify(classifyError(new TypeError("fetch failed", { cause: refused })))).toContain(
      "ECONNREFUSED",
    );
  });

  it("retries an abort as ABORTED", () => {
    expect(classifyError(new errors.RequestAbortedError())).toMatchObject({
      kind: "retry",
      error: { code: "ABORTED" },
    });
  });

  it("never copies the error's own message, which may quote the URL", () => {
    const error = new Error("getaddrinfo ENOTFOUND https://hooks.slack.com/services/T000/B000/XXXXSECRET");
    (error as Error & { code: string }).code = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
    const outcome = classifyError(error);
    expect(outcome.kind).toBe("retry");
    expect(JSON.stringify(outcome)).not.toContain("XXXXSECRET");
  });

  it("retries something that is not an Error at all", () => {
    expect(classifyError("boom")).toEqual({
      kind: "retry",
      error: { code: "NETWORK_ERROR", message: "connection failed: unknown error" },
    });
  });
});
