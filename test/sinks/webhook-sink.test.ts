import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import { Agent, interceptors } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthwatchEvent } from "../../src/events.js";
import type { DeliveryOutcome, Sink } from "../../src/sinks/sink.js";
import { buildSlackText } from "../../src/sinks/slack-body.js";
import { createWebhookSink } from "../../src/sinks/webhook-sink.js";
import { createManualClock } from "../helpers/manual-clock.js";
import {
  attemptContext,
  EXPIRED,
  FIRST_READY,
  POLL_FAILING,
  UNAUTHORIZED,
  webhookConfig,
} from "./fixtures.js";
import { closedPort, type ReceivedRequest, type Receiver, startReceiver } from "./receiver.js";

/** Slack puts the credential in the path; none of it may reach an outcome. */
const SECRET_PATH = "/services/T000/B000/XXXXSECRET";
const FORMATS = ["standard", "slack"] as const;

/** A whole second near real time: standardwebhooks rejects timestamps more than 5 minutes off. */
const nowSecondAligned = () => Math.floor(Date.now() / 1000) * 1000;

function expectNoSecret(outcome: DeliveryOutcome): void {
  const text = JSON.stringify(outcome);
  expect(text).not.toContain("XXXXSECRET");
  expect(text).not.toContain("/services");
}

interface ConformanceCase {
  title: string;
  respond: (request: ReceivedRequest, response: ServerResponse) => void;
  expected: (now: number) => DeliveryOutcome;
}

const CASES: ConformanceCase[] = [
  {
    title: "a 200 answer is delivered",
    respond: (_, res) => res.writeHead(200).end("ok"),
    expected: () => ({ kind: "delivered", status: 200 }),
  },
  {
    title: "a 204 answer is delivered",
    respond: (_, res) => res.writeHead(204).end(),
    expected: () => ({ kind: "delivered", status: 204 }),
  },
  {
    title: "a 500 answer is retried without a hint",
    respond: (_, res) => res.writeHead(500).end("boom"),
    expected: () => ({ kind: "retry", error: { code: "HTTP_500", message: expect.any(String) } }),
  },
  {
    title: "a 503 with Retry-After seconds is retried after that many seconds",
    respond: (_, res) => res.writeHead(503, { "retry-after": "120" }).end(),
    expected: () => ({
      kind: "retry",
      retryAfterMs: 120_000,
      error: { code: "HTTP_503", message: expect.stringContaining("asked for 2m before a retry") },
    }),
  },
  {
    title: "a 408 answer is retried",
    respond: (_, res) => res.writeHead(408).end(),
    expected: () => ({ kind: "retry", error: { code: "HTTP_408", message: expect.any(String) } }),
  },
  {
    title: "a 429 with a Retry-After date is retried at that date",
    respond: (_, res) =>
      res.writeHead(429, { "retry-after": new Date(ALIGNED_NOW + 90_000).toUTCString() }).end(),
    expected: () => ({
      kind: "retry",
      retryAfterMs: 90_000,
      error: { code: "HTTP_429", message: expect.any(String) },
    }),
  },
  {
    title: "a 410 answer disables the sink",
    respond: (_, res) => res.writeHead(410).end("gone"),
    expected: () => ({
      kind: "disable",
      error: { code: "HTTP_410", message: expect.stringContaining("disabled") },
    }),
  },
  {
    title: "a 404 answer is permanent",
    respond: (_, res) => res.writeHead(404).end(`Cannot POST ${SECRET_PATH}`),
    expected: () => ({ kind: "permanent", error: { code: "HTTP_404", message: expect.any(String) } }),
  },
  {
    title: "a 400 answer is permanent",
    respond: (_, res) => res.writeHead(400).end("invalid_payload"),
    expected: () => ({ kind: "permanent", error: { code: "HTTP_400", message: expect.any(String) } }),
  },
  {
    title: "a 302 answer is permanent and the redirect is not followed",
    respond: (req, res) =>
      req.url === "/moved" ? res.writeHead(200).end() : res.writeHead(302, { location: "/moved" }).end(),
    expected: () => ({
      kind: "permanent",
      error: { code: "HTTP_302", message: expect.stringContaining("point the sink at the final URL") },
    }),
  },
];

const ALIGNED_NOW = nowSecondAligned();

describe.each(FORMATS)("the %s webhook conformance table", (format) => {
  let receiver: Receiver;
  let sink: Sink;
  const clock = createManualClock(ALIGNED_NOW);

  beforeAll(async () => {
    receiver = await startReceiver();
    sink = createWebhookSink(webhookConfig(`${receiver.origin}${SECRET_PATH}`, { format, timeoutMs: 300 }), {
      clock,
    });
  });
  afterAll(async () => {
    await sink.close?.();
    await receiver.close();
  });
  afterEach(() => {
    receiver.requests.length = 0;
  });

  for (const { title, respond, expected } of CASES) {
    it(`${title}`, async () => {
      receiver.respond = respond;
      const outcome = await sink.deliver(EXPIRED, attemptContext());
      expect(outcome).toEqual(expected(ALIGNED_NOW));
      expectNoSecret(outcome);
      if (outcome.kind !== "delivered") {
        expect(outcome.error.message).toMatch(new RegExp(`^POST ${receiver.origin}/…: HTTP \\d{3} `));
      }
      expect(receiver.requests.map((r) => r.url)).toEqual([SECRET_PATH]);
    });
  }

  it("a receiver that never answers is retried once the timeout passes", async () => {
    receiver.respond = () => undefined;
    const started = Date.now();
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(outcome).toEqual({
      kind: "retry",
      error: { code: "TIMEOUT", message: expect.stringContaining("300ms") },
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expectNoSecret(outcome);
  });

  it("a refused connection is retried", async () => {
    const port = await closedPort();
    const refused = createWebhookSink(webhookConfig(`http://127.0.0.1:${port}${SECRET_PATH}`, { format }), {
      clock,
    });
    const outcome = await refused.deliver(EXPIRED, attemptContext());
    await refused.close?.();
    expect(outcome).toEqual({
      kind: "retry",
      error: { code: "NETWORK_ERROR", message: expect.stringContaining("ECONNREFUSED") },
    });
    expectNoSecret(outcome);
  });
});

describe("the webhook sink", () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());
  afterEach(() => {
    receiver.requests.length = 0;
    receiver.respond = (_, res) => res.writeHead(200).end();
  });

  it("posts the contract's event body byte for byte, signed so that standardwebhooks verifies it", async () => {
    const secret = randomBytes(24);
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}/hook`, { secret }), {
      clock: createManualClock(ALIGNED_NOW),
    });
    expect(await sink.deliver(EXPIRED, attemptContext())).toEqual({ kind: "delivered", status: 200 });
    await sink.close?.();

    const [request] = receiver.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["user-agent"]).toMatch(/^authwatch\/\d+\.\d+\.\d+/);
    expect(request?.body).toBe(
      '{"type":"authsession.expired","timestamp":"2026-11-25T16:00:00.000Z","data":{"eventId":"0b6f5a52-8c1e-4a4b-9d7e-3f2a1c0e9b11","workspaceId":"123e4567-e89b-12d3-a456-426614174000","projectName":"my-project","authSessionId":"auth-session-123","sessionType":"CREDENTIALS","from":"READY","to":"EXPIRED","observedAt":"2026-11-25T16:00:00.000Z","previousSince":"2026-11-22T12:00:00.000Z","labels":{"team":"growth"}}}',
    );
    expect(request?.headers["webhook-id"]).toBe(EXPIRED.data.eventId);
    expect(request?.headers["webhook-timestamp"]).toBe(String(ALIGNED_NOW / 1000));
    const verified = new Webhook(`whsec_${secret.toString("base64")}`).verify(
      request?.body ?? "",
      request?.headers as Record<string, string>,
    );
    expect(verified).toEqual(EXPIRED);
  });

  it("a body changed in transit fails verification", async () => {
    const secret = randomBytes(32);
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}/hook`, { secret }));
    await sink.deliver(EXPIRED, attemptContext());
    await sink.close?.();
    const [request] = receiver.requests;
    const tampered = (request?.body ?? "").replace("EXPIRED", "READY");
    expect(() =>
      new Webhook(secret.toString("base64")).verify(tampered, request?.headers as Record<string, string>),
    ).toThrow(/signature/i);
  });

  it("a retry keeps the webhook-id and signs a fresh timestamp", async () => {
    const secret = randomBytes(32);
    const clock = createManualClock(ALIGNED_NOW);
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}/hook`, { secret }), { clock });
    receiver.respond = (_, res) => res.writeHead(503).end();
    expect((await sink.deliver(EXPIRED, attemptContext(1))).kind).toBe("retry");
    await clock.advance(45_000);
    receiver.respond = (_, res) => res.writeHead(200).end();
    expect((await sink.deliver(EXPIRED, attemptContext(2))).kind).toBe("delivered");
    await sink.close?.();

    const [first, second] = receiver.requests;
    expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    expect(Number(second?.headers["webhook-timestamp"]) - Number(first?.headers["webhook-timestamp"])).toBe(
      45,
    );
    expect(second?.headers["webhook-signature"]).not.toBe(first?.headers["webhook-signature"]);
    expect(second?.body).toBe(first?.body);
    const verifier = new Webhook(secret.toString("base64"));
    for (const request of [first, second]) {
      expect(verifier.verify(request?.body ?? "", request?.headers as Record<string, string>)).toEqual(
        EXPIRED,
      );
    }
  });

  it("without a secret the request carries an id and timestamp but no signature", async () => {
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}/hook`));
    await sink.deliver(EXPIRED, attemptContext());
    await sink.close?.();
    const [request] = receiver.requests;
    expect(request?.headers["webhook-id"]).toBe(EXPIRED.data.eventId);
    expect(request?.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(request?.headers).not.toHaveProperty("webhook-signature");
  });

  it("the slack format posts a text a person reads", async () => {
    const clock = createManualClock(Date.parse(FIRST_READY.data.observedAt) + 5_000);
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}/hook`, { format: "slack" }), { clock });
    await sink.deliver(FIRST_READY, attemptContext());
    await sink.close?.();
    const [request] = receiver.requests;
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual({ text: buildSlackText(FIRST_READY, clock.now()) });
    expect(JSON.parse(request?.body ?? "")).toEqual({
      text: ":large_green_circle: *billing/billing-login* is READY (first observation)",
    });
  });

  it("a redirect is not followed even through a dispatcher that follows redirects", async () => {
    receiver.respond = (req, res) =>
      req.url === "/moved" ? res.writeHead(200).end() : res.writeHead(307, { location: "/moved" }).end();
    const following = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}${SECRET_PATH}`), {
      dispatcher: following,
    });
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    await following.close();
    expect(outcome).toMatchObject({ kind: "permanent", error: { code: "HTTP_307" } });
    expect(receiver.requests.map((r) => r.url)).toEqual([SECRET_PATH]);
  });

  it("an abort from the caller ends a hanging attempt at once as a retry", async () => {
    receiver.respond = () => undefined;
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}/hook`, { timeoutMs: 10_000 }));
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const outcome = await sink.deliver(EXPIRED, attemptContext(1, controller.signal));
    await sink.close?.();
    expect(outcome).toMatchObject({ kind: "retry", error: { code: "ABORTED" } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a malformed secret-bearing URL is permanent and never appears in an outcome", async () => {
    const urls = [
      "https://hooks.slack.com\u0000/services/T000/B000/XXXXSECRET",
      "ftp://hooks.slack.com/services/T000/B000/XXXXSECRET",
      "not a url /services/T000/B000/XXXXSECRET",
    ];
    for (const url of urls) {
      const sink = createWebhookSink(webhookConfig(url));
      const outcome = await sink.deliver(EXPIRED, attemptContext());
      await sink.close?.();
      expect(outcome).toMatchObject({ kind: "permanent", error: { code: "INVALID_URL" } });
      expectNoSecret(outcome);
    }
  });

  it("every kind of event is delivered with its own eventId as webhook-id", async () => {
    const events: AuthwatchEvent[] = [EXPIRED, FIRST_READY, POLL_FAILING, UNAUTHORIZED];
    const sink = createWebhookSink(webhookConfig(`${receiver.origin}/hook`));
    for (const event of events) await sink.deliver(event, attemptContext());
    await sink.close?.();
    expect(receiver.requests.map((r) => r.headers["webhook-id"])).toEqual(events.map((e) => e.data.eventId));
  });
});
