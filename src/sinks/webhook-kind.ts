import { z } from "zod";
import { envName, filePath, httpUrl, keyRules, sinkBase, waitDuration } from "../config/schema-parts.js";
import type { Found, Secret, SinkConfigBase } from "../config/types.js";
import { isHttpUrl } from "../util/is-http-url.js";
import type { SinkDeps, SinkKind, SinkResolveContext } from "./sink-kind.js";
import { compileTemplate } from "./template.js";
import { decodeWebhookSecret } from "./webhook-secret.js";
import { createWebhookSink, type WebhookSinkDeps } from "./webhook-sink.js";

export const WEBHOOK_TIMEOUT_MS = 10_000;

export const WEBHOOK_FORMATS = ["standard", "slack", "teams", "discord"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers authwatch itself sets, or that would break the request. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
]);

const schema = z.strictObject({
  type: z.literal("webhook"),
  ...sinkBase,
  url: httpUrl.optional().meta({ description: "Where to POST. Set this or urlEnv." }),
  urlEnv: envName.optional().meta({ description: "Variable holding the URL (for URLs that carry a token)." }),
  format: z
    .enum(WEBHOOK_FORMATS, { error: 'must be "standard", "slack", "teams" or "discord"' })
    .optional()
    .meta({
      description:
        "standard: the event body, signed (default). slack, teams (Adaptive Card), discord: a message for people.",
    }),
  headers: z
    .record(
      z.string().regex(HEADER_NAME, { error: 'must be an HTTP header name like "X-Team"' }),
      z.union(
        [
          z.string().meta({ description: "A literal value." }),
          z.strictObject({ valueEnv: envName.meta({ description: "Variable holding the value." }) }),
          z.strictObject({ valueFile: filePath.meta({ description: "File holding the value." }) }),
        ],
        { error: 'must be a string, {"valueEnv": "NAME"} or {"valueFile": "/path"}' },
      ),
    )
    .optional()
    .meta({
      description:
        'Extra request headers, e.g. {"X-Team": "growth", "Authorization": {"valueEnv": "HOOK_AUTH"}}.',
    }),
  template: z.string().optional().meta({
    description:
      "Liquid template of the message (slack, teams, discord) over the event body; the built-in text by default.",
  }),
  secretEnv: envName.optional().meta({ description: 'Variable holding the signing secret ("whsec_…").' }),
  secretFile: filePath.optional().meta({ description: 'File holding the signing secret ("whsec_…").' }),
  timeout: waitDuration.optional().meta({ description: "Per attempt. Default 10s." }),
});

type WebhookEntry = z.infer<typeof schema>;

export interface WebhookSinkConfig extends SinkConfigBase {
  type: "webhook";
  format: WebhookFormat;
  /** Extra headers by name; values may be secrets and are never logged. */
  headers: Record<string, Secret>;
  /** Liquid source, checked when the config was resolved; undefined: the built-in text. */
  template: string | undefined;
  /** May carry a token (Slack): log only `redactUrl(url.value)`. */
  url: Secret;
  /** Decoded bytes of a `whsec_…` secret; unsigned when absent. */
  secret: Uint8Array | undefined;
  timeoutMs: number;
}

/** HTTP POST of each event, signed (standard) or as a message for people (slack). */
export const webhookKind = {
  // url xor urlEnv and one secret source, in the published JSON Schema too (parse.ts checks them).
  schema: schema.meta(keyRules({ exactlyOne: [["url", "urlEnv"]], notBoth: [["secretEnv", "secretFile"]] })),
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
      headers: webhookHeaders(context, raw, path),
      template: checkTemplate(context, raw, path),
      timeoutMs: context.durationMs(raw.timeout, `${path}.timeout`) ?? WEBHOOK_TIMEOUT_MS,
    };
  },
  // The URL is hashed, never stored or shown, because it may carry a token.
  fingerprint: (config) => ["webhook", config.format, config.url.value],
  secrets: (config) => [
    config.url,
    ...Object.values(config.headers).filter((h) => !h.source.startsWith("watchlist")),
  ],
  create: (config, deps) => createWebhookSink(config, httpDeps(deps)),
} satisfies SinkKind<WebhookEntry, WebhookSinkConfig>;

/** exactOptionalPropertyTypes: pass only what was given, never an explicit undefined. */
export function httpDeps(deps: SinkDeps): WebhookSinkDeps {
  const result: WebhookSinkDeps = { logger: deps.logger };
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

function webhookHeaders(
  context: SinkResolveContext,
  raw: WebhookEntry,
  path: string,
): Record<string, Secret> {
  const headers: Record<string, Secret> = {};
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    const at = `${path}.headers${formatKey(name)}`;
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith("webhook-")) {
      context.issue(at, "is set by authwatch itself and cannot be overridden");
      continue;
    }
    if (seen.has(lower)) context.issue(at, "is given twice (header names ignore case)");
    seen.add(lower);
    const found =
      typeof value === "string"
        ? { source: `watchlist ${at}`, value }
        : "valueEnv" in value
          ? context.take(context.readEnvSecret(value.valueEnv), `${at}.valueEnv`)
          : context.take(context.readFileSecret(value.valueFile), `${at}.valueFile`);
    if (found === undefined) continue;
    if (/[\r\n\0]/.test(found.value)) {
      context.issue(at, "must be a single line (no line breaks)");
      continue;
    }
    headers[name] = found;
  }
  return headers;
}

function checkTemplate(context: SinkResolveContext, raw: WebhookEntry, path: string): string | undefined {
  if (raw.template === undefined) return undefined;
  if ((raw.format ?? "standard") === "standard") {
    context.issue(
      `${path}.template`,
      'only the "slack", "teams" and "discord" formats send text for people; a "standard" body is the event itself',
    );
    return undefined;
  }
  const compiled = compileTemplate(raw.template);
  if (!compiled.ok) context.issue(`${path}.template`, compiled.problem);
  return raw.template;
}

/** `.X_Team` or `["X-Team"]`, as config paths are written. */
function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function decodeFound(found: Found<Secret>): Found<Uint8Array> {
  if (!found.ok) return found;
  const bytes = decodeWebhookSecret(found.value.value);
  return bytes === undefined
    ? { ok: false, problem: `${found.label} must hold a secret like "whsec_" followed by base64` }
    : { ok: true, value: bytes, label: found.label };
}
