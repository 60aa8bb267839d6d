import { type Dispatcher, request } from "undici";
import type { Clock } from "../clock.js";
import type { HeartbeatConfig } from "../config/types.js";
import type { Logger } from "../logger.js";
import { redactUrl } from "../sinks/redact-url.js";
import { VERSION } from "../version.js";

export interface HeartbeatDeps {
  clock: Clock;
  logger: Logger;
  /** What /healthz would answer: only a healthy daemon sends the heartbeat. */
  healthy: () => { ok: boolean; reason?: string };
  /** Tests and the daemon's pool; undici's global one otherwise. */
  dispatcher?: Dispatcher;
  /** Per GET; default 10 s, never longer than the interval. */
  timeoutMs?: number;
}

export interface Heartbeat {
  /** The result of the last beat, for tests and logs: "sent", "skipped" (unhealthy) or "failed". */
  readonly last: "sent" | "skipped" | "failed" | undefined;
  stop(): Promise<void>;
}

/**
 * A dead man's switch: a GET of the URL every `every`, only while the daemon is healthy, so the
 * outside service (Healthchecks.io, Cronitor, Better Stack) alerts when authwatch dies *or* stalls.
 * A failed GET is logged and never fatal. The URL usually carries its token: logs show it redacted.
 */
export function startHeartbeat(config: HeartbeatConfig, deps: HeartbeatDeps): Heartbeat {
  const { clock, logger } = deps;
  const target = redactUrl(config.url.value);
  const timeoutMs = Math.min(deps.timeoutMs ?? 10_000, config.everyMs);
  let last: Heartbeat["last"];
  let cancel: (() => void) | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  let failing = false;
  let wasHealthy = true;

  const beat = async () => {
    const health = deps.healthy();
    if (!health.ok) {
      if (wasHealthy)
        logger.warn({ reason: health.reason }, "heartbeat paused while the daemon is unhealthy");
      wasHealthy = false;
      last = "skipped";
      return;
    }
    if (!wasHealthy) logger.info("daemon healthy again; heartbeat resumes");
    wasHealthy = true;
    try {
      const response = await request(config.url.value, {
        method: "GET",
        headers: { "user-agent": `authwatch/${VERSION}` },
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      });
      await response.body.dump();
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new Error(`HTTP ${response.statusCode}`);
      }
      if (failing) logger.info({ url: target }, "heartbeat delivered again");
      failing = false;
      last = "sent";
    } catch (error) {
      // undici's messages may quote the URL: only the redacted target and a code are logged.
      const code =
        (error as { code?: string }).code ?? (error as Error).message.replace(/https?:\/\/\S+/g, "[url]");
      logger[failing ? "debug" : "warn"]({ url: target, error: code }, "heartbeat failed; will try again");
      failing = true;
      last = "failed";
    }
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    cancel = clock.setTimer(() => {
      inFlight = beat().finally(() => {
        inFlight = undefined;
        schedule(config.everyMs);
      });
    }, delay);
  };
  schedule(0);

  return {
    get last() {
      return last;
    },
    async stop() {
      stopped = true;
      cancel?.();
      await inFlight;
    },
  };
}
