import { z } from "zod";
import { envName, filePath, httpUrl, sinkBase, waitDuration } from "../config/schema-parts.js";
import type { Found, Secret, SinkConfigBase } from "../config/types.js";
import { isHttpUrl } from "../util/is-http-url.js";
import type { SinkKind, SinkResolveContext } from "./sink-kind.js";
import { decodeWebhookSecret } from "./webhook-secret.js";
import { createWebhookSink, type WebhookSinkDeps } from "./webhook-sink.js";

export const WEBHOOK_TIMEOUT_MS = 10_000;

const schema = z.strictObject({
  type: z.literal("webhook"),
  ...sinkBase,
  url: httpUrl.optional().meta({ description: "Where to POST. Set this or urlEnv." }),
  urlEnv: envName.optional().meta({ description: "Variable holding the URL (for URLs that carry a token)." }),
  format: z
    .enum(["standard", "slack"], { error: 'must be "standard" or "slack"' })
    .optional()
    .meta({ description: "standard: the event body, signed (default). slack: a message for people." }),
  secretEnv: envName.optional().meta({ description: 'Variable holding the signing secret ("whsec_…").' }),
  secretFile: filePath.optional().meta({ description: 'File holding the signing secret ("whsec_…").' }),
  timeout: waitDuration.optional().meta({ description: "Per attempt. Default 10s." }),
});

type WebhookEntry = z.infer<typeof schema>;

export interface WebhookSinkConfig extends SinkConfigBase {
  type: "webhook";
  format: "standard" | "slack";
  /** May carry a token (Slack): log only `redactUrl(url.value)`. */
  url: Secret;
  /** Decoded bytes of a `whsec_…` secret; unsigned when absent. */
  secret: Uint8Array | undefined;
  timeoutMs: number;
}

/** HTTP POST of each event, signed (standard) or as a message for people (slack). */
export const webhookKind = {
  schema,
  resolve(raw, base, context, path) {
    const url = webhookUrl(context, raw, path);
    const secret = webhookSecret(context, raw, path);
    // Without requireSecrets (history and the like) nothing is delivered, so a sink whose URL
    // variable is unset is left out rather than carried with a fake URL that would fail later.
    if (url === undefined) return undefined;
    return {
      ...base,
      type: "webhook",
      format: raw.format ?? "standard",
      url,
      secret,
      timeoutMs: context.durationMs(raw.timeout, `${path}.timeout`) ?? WEBHOOK_TIMEOUT_MS,
    };
  },
  // The URL is hashed, never stored or shown, because it may carry a token.
  fingerprint: (config) => ["webhook", config.format, config.url.value],
  secrets: (config) => [config.url],
  create: (config, deps) => createWebhookSink(config, httpDeps(deps)),
} satisfies SinkKind<WebhookEntry, WebhookSinkConfig>;

/** exactOptionalPropertyTypes: pass only what was given, never an explicit undefined. */
export function httpDeps(deps: WebhookSinkDeps): WebhookSinkDeps {
  const result: WebhookSinkDeps = {};
  if (deps.dispatcher) result.dispatcher = deps.dispatcher;
  if (deps.clock) result.clock = deps.clock;
  if (deps.userAgent !== undefined) result.userAgent = deps.userAgent;
  return result;
}

/** The URL of a webhook sink, or of the heartbeat: `url` in the watchlist, or the variable `urlEnv` names. */
export function webhookUrl(
  context: SinkResolveContext,
  raw: Pick<WebhookEntry, "url" | "urlEnv">,
  path: string,
): Secret | undefined {
  // A literal URL is allowed even when it carries a token: logs show only redactUrl(url.value).
  if (raw.url !== undefined) return { source: `watchlist ${path}.url`, value: raw.url };
  if (raw.urlEnv === undefined) {
    context.issue(`${path}.url`, 'is required, or "urlEnv"');
    return undefined;
  }
  const found = context.readEnvSecret(raw.urlEnv);
  const checked: Found<Secret> =
    found.ok && !isHttpUrl(found.value.value)
      ? { ok: false, problem: `${found.label} must hold an http(s) URL` }
      : found;
  return context.take(checked, `${path}.urlEnv`);
}

function webhookSecret(context: SinkResolveContext, raw: WebhookEntry, path: string): Uint8Array | undefined {
  if (raw.secretFile !== undefined) {
    return context.take(decodeFound(context.readFileSecret(raw.secretFile)), `${path}.secretFile`);
  }
  if (raw.secretEnv !== undefined) {
    return context.take(decodeFound(context.readEnvSecret(raw.secretEnv)), `${path}.secretEnv`);
  }
  return undefined;
}

function decodeFound(found: Found<Secret>): Found<Uint8Array> {
  if (!found.ok) return found;
  const bytes = decodeWebhookSecret(found.value.value);
  return bytes === undefined
    ? { ok: false, problem: `${found.label} must hold a secret like "whsec_" followed by base64` }
    : { ok: true, value: bytes, label: found.label };
}
