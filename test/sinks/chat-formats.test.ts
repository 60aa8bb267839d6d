import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWebhookSink } from "../../src/sinks/webhook-sink.js";
import { configError } from "../helpers/config-error.js";
import { captureLog } from "../helpers/log-capture.js";
import { createManualClock } from "../helpers/manual-clock.js";
import { attemptContext, EXPIRED, resolveSinks, webhookConfig } from "./fixtures.js";
import { type Receiver, startReceiver } from "./receiver.js";

const NOW = Date.parse(EXPIRED.data.observedAt) + 1_000;
const clock = createManualClock(NOW);
const UNDERSCORED = { ...EXPIRED, data: { ...EXPIRED.data, authSessionId: "checkout_login" } };

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

async function post(
  config: Parameters<typeof createWebhookSink>[0],
  event = EXPIRED,
  logger = captureLog().logger,
) {
  const sink = createWebhookSink(config, { clock, logger });
  const outcome = await sink.deliver(event, attemptContext());
  await sink.close?.();
  return { outcome, request: receiver.requests.at(-1) };
}

describe("webhook formats for chat", () => {
  it("teams posts a message with an Adaptive Card: the headline, then the facts", async () => {
    const { outcome, request } = await post(webhookConfig(`${receiver.origin}/teams`, { format: "teams" }));
    expect(outcome).toEqual({ kind: "delivered", status: 200 });
    const body = JSON.parse(request?.body ?? "");
    expect(body).toMatchObject({
      type: "message",
      attachments: [
        { contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard" } },
      ],
    });
    const [headline, factSet] = body.attachments[0].content.body;
    expect(headline).toMatchObject({
      type: "TextBlock",
      text: "my-project/auth-session-123 is EXPIRED (was READY for 3d 4h)",
    });
    expect(factSet.facts).toContainEqual({ title: "Labels", value: "team=growth" });
    expect(request?.headers["webhook-signature"]).toBeUndefined();
  });

  it("discord posts one line as content, pinging nobody and keeping underscores as text", async () => {
    const { request } = await post(
      webhookConfig(`${receiver.origin}/discord`, { format: "discord" }),
      UNDERSCORED,
    );
    expect(JSON.parse(request?.body ?? "")).toEqual({
      content: "🔴 my-project/checkout\\_login is EXPIRED (was READY for 3d 4h) · team=growth",
      allowed_mentions: { parse: [] },
    });
  });
});

describe("headers and URL credentials on a webhook", () => {
  it("sends literal headers and secrets from variables and files, and names none of them in an outcome", async () => {
    const [config] = resolveSinks(
      [
        {
          name: "hook",
          type: "webhook",
          url: `${receiver.origin}/hook`,
          headers: { "X-Team": "growth", Authorization: { valueEnv: "HOOK_AUTH" } },
        },
      ],
      { HOOK_AUTH: "Bearer tok-SECRET-123" },
    );
    receiver.respond = (_, res) => res.writeHead(500).end();
    const { outcome, request } = await post(config as Parameters<typeof createWebhookSink>[0]);
    expect(request?.headers["x-team"]).toBe("growth");
    expect(request?.headers.authorization).toBe("Bearer tok-SECRET-123");
    expect(JSON.stringify(outcome)).not.toContain("tok-SECRET-123");
  });

  it("refuses to let a header replace one authwatch sets", () => {
    const error = configError(() =>
      resolveSinks([
        { name: "hook", type: "webhook", url: "http://127.0.0.1/h", headers: { "Webhook-Signature": "x" } },
      ]),
    );
    expect(error.issues).toEqual([
      {
        path: 'sinks[0].headers["Webhook-Signature"]',
        message: "is set by authwatch itself and cannot be overridden",
      },
    ]);
  });

  it("sends the user and password of a URL as Basic auth and never shows them", async () => {
    const url = `${receiver.origin.replace("http://", "http://robot:p%40ss-SECRET@")}/hook`;
    receiver.respond = (_, res) => res.writeHead(404).end();
    const { outcome, request } = await post(webhookConfig(url));
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from("robot:p@ss-SECRET").toString("base64")}`,
    );
    expect(request?.url).toBe("/hook");
    expect(JSON.stringify(outcome)).not.toMatch(/robot|SECRET/);
  });
});

describe("templates on chat formats", () => {
  it("writes the message from a Liquid template over the event body and the helpers", async () => {
    const template =
      "{{ session }} went {{ data.from }} → {{ data.to }} after {{ heldFor }}; team {{ data.labels.team | upcase }}, seen {{ data.observedAt | ago }} ago";
    const { request } = await post(webhookConfig(`${receiver.origin}/slack`, { format: "slack", template }));
    expect(JSON.parse(request?.body ?? "")).toEqual({
      text: "my-project/auth-session-123 went READY → EXPIRED after 3d 4h; team GROWTH, seen 1s ago",
    });
  });

  it("falls back to the built-in text, and says so in the log, when a template fails while rendering", async () => {
    const log = captureLog();
    const template = "{% for i in (1..100000000) %}{{ i }}{% endfor %}";
    const { outcome, request } = await post(
      webhookConfig(`${receiver.origin}/discord`, { format: "discord", template }),
      EXPIRED,
      log.logger,
    );
    expect(outcome).toEqual({ kind: "delivered", status: 200 });
    expect(JSON.parse(request?.body ?? "").content).toContain("my-project/auth-session-123 is EXPIRED");
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        level: 40,
        sink: "hook",
        msg: expect.stringContaining("sent the built-in text instead"),
      }),
    );
  });

  it("is a config error naming its path when the template does not parse, or when the format is standard", () => {
    const error = configError(() =>
      resolveSinks([
        { name: "a", type: "webhook", format: "teams", url: "http://127.0.0.1/a", template: "{% if %}" },
        {
          name: "b",
          type: "webhook",
          format: "slack",
          url: "http://127.0.0.1/b",
          template: "{{ x | nosuchfilter }}",
        },
        { name: "c", type: "webhook", url: "http://127.0.0.1/c", template: "{{ type }}" },
      ]),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "sinks[0].template",
      "sinks[1].template",
      "sinks[2].template",
    ]);
    expect(error.issues[0]?.message).toMatch(/^is not a valid Liquid template: /);
  });
});
