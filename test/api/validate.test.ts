import { describe, expect, it } from "vitest";
import { parseAuthSessionBody } from "../../src/api/validate.js";

describe("parseAuthSessionBody", () => {
  it("accepts the spec's example", () => {
    expect(parseAuthSessionBody({ id: "auth-session-123", type: "CREDENTIALS", status: "READY" })).toEqual({
      ok: true,
      record: { id: "auth-session-123", type: "CREDENTIALS", status: "READY" },
    });
  });

  it("keeps an unknown status and an unknown type as they are", () => {
    expect(parseAuthSessionBody({ id: "s-1", type: "PASSKEY", status: "SUSPENDED" })).toEqual({
      ok: true,
      record: { id: "s-1", type: "PASSKEY", status: "SUSPENDED" },
    });
  });

  it("ignores properties the API may add later", () => {
    const result = parseAuthSessionBody({ id: "s-1", type: "RUNTIME", status: "PENDING", extra: { a: 1 } });
    expect(result).toEqual({
      ok: true,
      record: { id: "s-1", type: "RUNTIME", status: "PENDING" },
    });
  });

  it.each([
    [null, "body is not a JSON object"],
    [[], "body is not a JSON object"],
    ["READY", "body is not a JSON object"],
    [{ type: "CREDENTIALS", status: "READY" }, "`id` is missing, expected a non-empty string"],
    [{ id: "s-1", type: 3, status: "READY" }, "`type` is a number, expected a non-empty string"],
    [{ id: "s-1", type: "CREDENTIALS", status: null }, "`status` is null, expected a non-empty string"],
    [{ id: "s-1", type: "CREDENTIALS", status: "" }, "`status` is empty, expected a non-empty string"],
  ])("rejects %j with a reason naming the field", (body, reason) => {
    expect(parseAuthSessionBody(body)).toEqual({ ok: false, reason });
  });
});
