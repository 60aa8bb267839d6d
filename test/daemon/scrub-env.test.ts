import { describe, expect, it } from "vitest";
import type { ResolvedConfig } from "../../src/config/types.js";
import { scrubSecretsFromEnv } from "../../src/daemon/scrub-env.js";

const config = {
  apiKey: { source: "env INTUNED_API_KEY", value: "sk-main" },
  sessions: [{ apiKey: { source: "file /etc/authwatch/billing-key", value: "sk-billing" } }],
  sinks: [
    {
      type: "webhook",
      url: { source: "env SLACK_WEBHOOK_URL", value: "https://hooks.slack.com/services/T/B/X" },
      headers: {
        Authorization: { source: "env HOOK_AUTH", value: "Bearer tok-1" },
        "X-Team": { source: "watchlist sinks[0].headers.X-Team", value: "growth" },
      },
    },
    { type: "pagerduty", routingKey: { source: "file /etc/authwatch/pd-key", value: "R0UT1NGKEY" } },
    {
      type: "email",
      smtp: {
        user: { source: "env SMTP_USER", value: "mailer" },
        password: { source: "env SMTP_PASSWORD", value: "pw-1" },
      },
    },
    { type: "console" },
  ],
} as unknown as ResolvedConfig;

describe("the environment command sinks inherit", () => {
  it("drops variables named for any sink kind's secrets, secret values under any name, whsec_ secrets and the credentials directory", () => {
    const env = {
      PATH: "/usr/bin",
      HOME: "/root",
      INTUNED_API_KEY: "sk-main",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X",
      COPY_OF_BILLING_KEY: "sk-billing",
      UNPADDED_SECRET: "whsec_c2VjcmV0LWJ5dGVz",
      URLSAFE_SECRET: "whsec_c2Vj-cmV0_Ynl0ZXM",
      CREDENTIALS_DIRECTORY: "/run/credentials/authwatch.service",
      HOOK_AUTH: "Bearer tok-1",
      PD_COPY: "R0UT1NGKEY",
      SMTP_USER: "mailer",
      SMTP_PASSWORD: "pw-1",
      TEAM: "growth",
    };
    // A literal header value (X-Team) is not a secret: a variable that happens to hold it stays.
    expect(scrubSecretsFromEnv(env, config)).toEqual({ PATH: "/usr/bin", HOME: "/root", TEAM: "growth" });
  });
});

describe("the heartbeat URL in the command sinks' environment", () => {
  it("is dropped, by the variable's name and by its value", () => {
    const withHeartbeat = {
      ...config,
      heartbeat: {
        url: { source: "env AUTHWATCH_HEARTBEAT_URL", value: "https://hc-ping.com/uuid-1" },
        everyMs: 60_000,
      },
    } as unknown as ResolvedConfig;
    const scrubbed = scrubSecretsFromEnv(
      {
        AUTHWATCH_HEARTBEAT_URL: "https://hc-ping.com/uuid-1",
        COPY: "https://hc-ping.com/uuid-1",
        HOME: "/root",
      },
      withHeartbeat,
    );
    expect(scrubbed).toEqual({ HOME: "/root" });
  });
});
