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
    },
    { type: "console" },
  ],
} as unknown as ResolvedConfig;

describe("the environment command sinks inherit", () => {
  it("drops variables named for secrets, secret values under any name, whsec_ secrets in any spelling and the credentials directory", () => {
    const env = {
      PATH: "/usr/bin",
      HOME: "/root",
      INTUNED_API_KEY: "sk-main",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X",
      COPY_OF_BILLING_KEY: "sk-billing",
      UNPADDED_SECRET: "whsec_c2VjcmV0LWJ5dGVz",
      URLSAFE_SECRET: "whsec_c2Vj-cmV0_Ynl0ZXM",
      CREDENTIALS_DIRECTORY: "/run/credentials/authwatch.service",
    };
    expect(scrubSecretsFromEnv(env, config)).toEqual({ PATH: "/usr/bin", HOME: "/root" });
  });
});
