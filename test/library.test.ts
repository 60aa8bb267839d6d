import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeIntunedApi,
  startFakeIntunedApi,
  verifyWebhookSignature,
  WaitError,
  waitForSession,
} from "../src/index.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-library-key";
const root = fileURLToPath(new URL("..", import.meta.url));

describe("the package entry", () => {
  it("resolves `import('authwatch')` to the built library with its main functions", () => {
    const names = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('authwatch'); console.log(Object.keys(m).sort().join(','))",
      ],
      { cwd: root, encoding: "utf8" },
    )
      .trim()
      .split(",");
    for (const name of [
      "waitForSession",
      "WaitError",
      "startDaemon",
      "loadWatchlist",
      "verifyWebhookSignature",
      "createIntunedClient",
    ]) {
      expect(names).toContain(name);
    }
  });
});

describe("waitForSession from the library", () => {
  let api: FakeIntunedApi;
  beforeAll(async () => {
    api = await startFakeIntunedApi({ apiKeys: [KEY] });
  });
  afterAll(async () => {
    await api.close();
  });

  it("resolves once the session is READY", async () => {
    const session = { workspaceId: WORKSPACE, projectName: "lib", authSessionId: "lib-ready" };
    api.setTimeline(session, [{ status: "PENDING", forMs: 300 }, { status: "READY" }]);
    const report = await waitForSession(
      { sessions: session, apiKey: KEY, baseUrl: api.url, timeoutMs: 5_000, intervalMs: 100 },
      {},
    );
    expect(report.sessions[0]).toMatchObject({ status: "READY", reached: true });
  });

  it("rejects with a WaitError carrying exit code 3 when the session is EXPIRED", async () => {
    const session = { workspaceId: WORKSPACE, projectName: "lib", authSessionId: "lib-expired" };
    api.setStatus(session, "EXPIRED");
    const error = await waitForSession(
      { sessions: session, apiKey: KEY, baseUrl: api.url, timeoutMs: 5_000, intervalMs: 100 },
      {},
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect(error).toMatchObject({ reason: "ended_early", exitCode: 3 });
  });
});

describe("verifyWebhookSignature", () => {
  const secretBytes = Buffer.from("0123456789abcdef0123456789abcdef");
  const reference = new Webhook(secretBytes.toString("base64"));
  const body = JSON.stringify({ type: "authsession.expired", data: { eventId: "e-1" } });
  const now = new Date();
  const headers = {
    "webhook-id": "e-1",
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": reference.sign("e-1", now, body),
  };

  it("accepts what the standardwebhooks reference signs", () => {
    expect(verifyWebhookSignature({ headers, body, secret: secretBytes })).toEqual({ ok: true, id: "e-1" });
  });

  it("rejects a changed body, a stale timestamp and a missing header", () => {
    expect(
      verifyWebhookSignature({ headers, body: body.replace("expired", "ready"), secret: secretBytes }).ok,
    ).toBe(false);
    expect(
      verifyWebhookSignature({
        headers,
        body,
        secret: secretBytes,
        nowSeconds: Math.floor(now.getTime() / 1000) + 3_600,
      }),
    ).toEqual({ ok: false, reason: "timestamp outside the tolerance" });
    expect(
      verifyWebhookSignature({
        headers: { ...headers, "webhook-signature": undefined },
        body,
        secret: secretBytes,
      }).ok,
    ).toBe(false);
  });
});
