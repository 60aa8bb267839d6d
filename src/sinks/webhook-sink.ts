import { Agent, type Dispatcher, request } from "undici";
import { type Clock, systemClock } from "../clock.js";
import type { WebhookSinkConfig } from "../config/types.js";
import type { AuthwatchEvent } from "../events.js";
import { VERSION } from "../version.js";
import { classifyError, classifyHttpStatus } from "./classify.js";
import { redactUrl } from "./redact-url.js";
import { buildWebhookHeaders } from "./sign.js";
import type { DeliveryContext, DeliveryOutcome, Sink } from "./sink.js";
import { buildWebhookBody } from "./webhook-body.js";

export interface WebhookSinkDeps {
  /** Connection pool; by default the sink opens its own and closes it in `close()`. */
  dispatcher?: Dispatcher;
  /** Signing timestamps and `Retry-After` dates; request timeouts are real time like all I/O. */
  clock?: Clock;
  userAgent?: string;
}

/**
 * A redirect interceptor composed into an injected dispatcher reads this per request; 0 turns it off.
 * undici's types leave the option out since v7, hence the spread instead of a literal property.
 */
const NO_REDIRECTS: object = { maxRedirections: 0 };

/** POSTs each event (standard: the signed event body; slack: `{"text": …}`) and classifies the answer. */
export function createWebhookSink(config: WebhookSinkConfig, deps: WebhookSinkDeps = {}): Sink {
  const clock = deps.clock ?? systemClock;
  const userAgent = deps.userAgent ?? `authwatch/${VERSION}`;
  // The URL may be the credential (Slack): outcomes name the target only in redacted form.
  const target = `POST ${redactUrl(config.url.value)}`;
  let owned: Agent | undefined;
  const dispatcher = (): Dispatcher => {
    if (deps.dispatcher) return deps.dispatcher;
    owned ??= createSinkAgent(config.timeoutMs);
    return owned;
  };

  async function attempt(event: AuthwatchEvent, context: DeliveryContext): Promise<DeliveryOutcome> {
    if (!isHttpUrl(config.url.value)) {
      return {
        kind: "permanent",
        error: { code: "INVALID_URL", message: "the sink's URL is not an http(s) URL" },
      };
    }
    if (context.signal.aborted) return ABORTED;
    const now = clock.now();
    const body = buildWebhookBody(config.format, event, now);
    const headers = {
      "content-type": "application/json",
      "user-agent": userAgent,
      ...buildWebhookHeaders({
        id: event.data.eventId,
        timestampSeconds: Math.floor(now / 1000),
        body,
        secret: config.secret,
      }),
    };

    // One deadline for connect, headers and body together, also cancelled when the caller aborts.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, config.timeoutMs);
    const onAbort = () => controller.abort();
    context.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await request(config.url.value, {
        method: "POST",
        headers,
        body,
        dispatcher: dispatcher(),
        signal: controller.signal,
        headersTimeout: config.timeoutMs,
        bodyTimeout: config.timeoutMs,
        ...NO_REDIRECTS,
      });
      // The status decides; the body is drained only so the socket can be reused.
      await response.body
        .dump({ limit: DRAIN_LIMIT_BYTES, signal: controller.signal })
        .catch(() => undefined);
      return classifyHttpStatus(response.statusCode, response.headers, clock.now());
    } catch (error) {
      if (context.signal.aborted) return ABORTED;
      if (timedOut)
        return classifyError(new DOMException("deadline", "TimeoutError"), { timeoutMs: config.timeoutMs });
      return classifyError(error, { timeoutMs: config.timeoutMs });
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener("abort", onAbort);
    }
  }

  return {
    config,
    durable: true,
    async deliver(event, context) {
      try {
        return nameTarget(await attempt(event, context), target);
      } catch (error) {
        // Only a bug gets here (attempt classifies every I/O failure); the contract is never to throw.
        return nameTarget(classifyError(error, { timeoutMs: config.timeoutMs }), target);
      }
    },
    async close() {
      await owned?.close();
    },
  };
}

/** Past this, undici closes the socket instead of reading on: cheaper than draining a huge error page. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

const ABORTED: DeliveryOutcome = {
  kind: "retry",
  error: { code: "ABORTED", message: "delivery cancelled" },
};

function createSinkAgent(timeoutMs: number): Agent {
  return new Agent({
    connections: 4,
    keepAliveTimeout: 4_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs },
  });
}

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

function nameTarget(outcome: DeliveryOutcome, target: string): DeliveryOutcome {
  if (outcome.kind === "delivered") return outcome;
  return { ...outcome, error: { ...outcome.error, message: `${target}: ${outcome.error.message}` } };
}
