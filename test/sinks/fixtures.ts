import { parseWatchlist } from "../../src/config/parse.js";
import { resolveConfig } from "../../src/config/resolve.js";
import type {
  CommandSinkConfig,
  ConsoleSinkConfig,
  ResolvedConfig,
  WebhookSinkConfig,
} from "../../src/config/types.js";
import { ConfigError } from "../../src/errors/config-error.js";
import type { PollHealthEvent, TransitionEvent, UnauthorizedEvent } from "../../src/events.js";
import type { EmailSinkConfig } from "../../src/sinks/email-kind.js";
import type { PagerDutySinkConfig } from "../../src/sinks/pagerduty-kind.js";

export const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";

/** The example of contract §3, keys in the documented order. */
export const EXPIRED: TransitionEvent = {
  type: "authsession.expired",
  timestamp: "2026-11-25T16:00:00.000Z",
  data: {
    eventId: "0b6f5a52-8c1e-4a4b-9d7e-3f2a1c0e9b11",
    workspaceId: WORKSPACE,
    projectName: "my-project",
    authSessionId: "auth-session-123",
    sessionType: "CREDENTIALS",
    from: "READY",
    to: "EXPIRED",
    observedAt: "2026-11-25T16:00:00.000Z",
    previousSince: "2026-11-22T12:00:00.000Z",
    labels: { team: "growth" },
  },
};

export const FIRST_READY: TransitionEvent = {
  type: "authsession.ready",
  timestamp: "2026-11-25T16:00:00.000Z",
  data: {
    eventId: "evt-first-ready",
    workspaceId: WORKSPACE,
    projectName: "billing",
    authSessionId: "billing-login",
    sessionType: "RECORDER",
    from: null,
    to: "READY",
    observedAt: "2026-11-25T16:00:00.000Z",
    previousSince: null,
    labels: {},
  },
};

export const POLL_FAILING: PollHealthEvent = {
  type: "authsession.poll_failing",
  timestamp: "2026-11-25T16:00:00.000Z",
  data: {
    eventId: "evt-failing",
    workspaceId: WORKSPACE,
    projectName: "my-project",
    authSessionId: "auth-session-123",
    sessionType: "CREDENTIALS",
    error: {
      code: "TIMEOUT",
      message: "no answer within 10000ms (GET /123e/projects/my-project/auth-sessions/x)",
    },
    failures: 3,
    observedAt: "2026-11-25T16:00:00.000Z",
    labels: { team: "growth", env: "prod" },
  },
};

export const UNAUTHORIZED: UnauthorizedEvent = {
  type: "watcher.unauthorized",
  timestamp: "2026-11-25T16:00:00.000Z",
  data: {
    eventId: "evt-unauthorized",
    workspaceId: WORKSPACE,
    keySource: "env INTUNED_API_KEY",
    error: { code: "UNAUTHORIZED", message: "API key refused: HTTP 401; check the key and its workspace" },
    observedAt: "2026-11-25T16:00:00.000Z",
  },
};

const BASE = { events: undefined, match: undefined, retryWindowMs: 86_400_000 };

export function consoleConfig(overrides: Partial<ConsoleSinkConfig> = {}): ConsoleSinkConfig {
  return { ...BASE, name: "log", type: "console", ...overrides };
}

export function webhookConfig(url: string, overrides: Partial<WebhookSinkConfig> = {}): WebhookSinkConfig {
  return {
    ...BASE,
    name: "hook",
    type: "webhook",
    format: "standard",
    url: { source: "env TEST_WEBHOOK_URL", value: url },
    secret: undefined,
    headers: {},
    template: undefined,
    timeoutMs: 2_000,
    ...overrides,
  };
}

export function commandConfig(
  command: string[],
  overrides: Partial<CommandSinkConfig> = {},
): CommandSinkConfig {
  return { ...BASE, name: "cmd", type: "command", command, timeoutMs: 5_000, ...overrides };
}

/** A fresh context for one attempt. */
export function attemptContext(attempt = 1, signal: AbortSignal = new AbortController().signal) {
  return { signal, attempt };
}

/** 32 characters, as PagerDuty's routing keys are. */
export const ROUTING_KEY = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY32";

export function pagerDutyConfig(
  url: string,
  overrides: Partial<PagerDutySinkConfig> = {},
): PagerDutySinkConfig {
  return {
    ...BASE,
    name: "oncall",
    type: "pagerduty",
    routingKey: { source: "env PD_ROUTING_KEY", value: ROUTING_KEY },
    url,
    timeoutMs: 2_000,
    ...overrides,
  };
}

export const SMTP_PASSWORD = "smtp-PASSWORD-s3cret";

export function emailConfig(
  host: string,
  port: number,
  overrides: Partial<EmailSinkConfig> = {},
): EmailSinkConfig {
  return {
    ...BASE,
    name: "mail",
    type: "email",
    smtp: {
      host,
      port,
      secure: false,
      user: { source: "env SMTP_USER", value: "authwatch" },
      password: { source: "env SMTP_PASSWORD", value: SMTP_PASSWORD },
    },
    from: "authwatch <authwatch@example.com>",
    to: ["oncall@example.com", "lead@example.com"],
    template: undefined,
    timeoutMs: 2_000,
    ...overrides,
  };
}

/** Parses and resolves a watchlist with these sinks, as loadWatchlist does; throws the ConfigError. */
export function resolveSinks(sinks: unknown[], env: NodeJS.ProcessEnv = {}): ResolvedConfig["sinks"] {
  const parsed = parseWatchlist({ sinks });
  if (!parsed.ok) throw new ConfigError("watchlist.json", parsed.issues);
  return resolveConfig(parsed.value, {
    env: { INTUNED_API_KEY: "k", ...env },
    requireSecrets: true,
    cwd: "/tmp",
  }).sinks;
}
