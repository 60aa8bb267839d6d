import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { buildWebhookHeaders, signWebhook } from "../../src/sinks/sign.js";

describe("signWebhook", () => {
  it("reproduces the Standard Webhooks reference signature", () => {
    const secret = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
    const signature = signWebhook({
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestampSeconds: 1614265330,
      body: '{"test": 2432232314}',
      secret,
    });
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("signs non-ASCII bodies as UTF-8, as the reference verifier reads them", () => {
    const secret = randomBytes(32);
    const body = JSON.stringify({ labels: { team: "größe ✓" } });
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const headers = buildWebhookHeaders({ id: "evt-1", timestampSeconds, body, secret });
    expect(new Webhook(secret.toString("base64")).verify(body, headers)).toEqual(JSON.parse(body));
  });
});

describe("buildWebhookHeaders", () => {
  it("sends id, timestamp and signature when there is a secret", () => {
    const headers = buildWebhookHeaders({
      id: "evt-1",
      timestampSeconds: 1700000000,
      body: "{}",
      secret: randomBytes(16),
    });
    expect(Object.keys(headers).sort()).toEqual(["webhook-id", "webhook-signature", "webhook-timestamp"]);
    expect(headers["webhook-timestamp"]).toBe("1700000000");
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("leaves out only the signature when there is no secret", () => {
    const headers = buildWebhookHeaders({
      id: "evt-1",
      timestampSeconds: 1700000000,
      body: "{}",
      secret: undefined,
    });
    expect(headers).toEqual({ "webhook-id": "evt-1", "webhook-timestamp": "1700000000" });
  });
});
