import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildWebhookHeaders } from "../../src/sinks/sign.js";
import { verifyWebhookSignature } from "../../src/sinks/verify.js";

const bytes = randomBytes(24);
const whsec = `whsec_${bytes.toString("base64")}`;
const body = JSON.stringify({ type: "authsession.expired" });
const nowSeconds = 1_764_000_000;
const headers = buildWebhookHeaders({ id: "evt-1", timestampSeconds: nowSeconds, body, secret: bytes });

describe("verifyWebhookSignature", () => {
  it("accepts the whsec_ string as receivers hold it", () => {
    expect(verifyWebhookSignature({ headers, body, secret: whsec, nowSeconds })).toEqual({
      ok: true,
      id: "evt-1",
    });
  });

  it("still accepts the decoded bytes", () => {
    expect(verifyWebhookSignature({ headers, body, secret: bytes, nowSeconds })).toEqual({
      ok: true,
      id: "evt-1",
    });
  });

  it("refuses a tampered body under the string secret", () => {
    const result = verifyWebhookSignature({ headers, body: `${body} `, secret: whsec, nowSeconds });
    expect(result).toEqual({ ok: false, reason: "no signature matches" });
  });

  it("says so, without echoing it, when the string is not a whsec_ secret", () => {
    const result = verifyWebhookSignature({ headers, body, secret: "not-a-secret!", nowSeconds });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("not-a-secret!");
  });
});
