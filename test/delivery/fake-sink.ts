import { Writable } from "node:stream";
import type { CommandSinkConfig } from "../../src/config/types.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { createLogger, type Logger } from "../../src/logger.js";
import type { DeliveryContext, DeliveryOutcome, Sink } from "../../src/sinks/sink.js";

export type Step = DeliveryOutcome | "hang" | "hang-ignoring-abort";

export interface FakeSink extends Sink {
  calls: Array<{ eventId: string; attempt: number; at: number }>;
  /** The most attempts that ran at once for one session. */
  maxPerSession: number;
}

const RETRY: DeliveryOutcome = { kind: "retry", error: { code: "HTTP_ERROR", message: "HTTP 503" } };
export const OUTCOMES = {
  delivered: { kind: "delivered", status: 200 },
  retry: RETRY,
  retryAfter: (ms: number): DeliveryOutcome => ({ ...RETRY, retryAfterMs: ms }),
  permanent: { kind: "permanent", error: { code: "HTTP_ERROR", message: "HTTP 400" } },
  gone: { kind: "disable", error: { code: "HTTP_ERROR", message: "HTTP 410" } },
} satisfies Record<string, DeliveryOutcome | ((ms: number) => DeliveryOutcome)>;

/**
 * An in-process sink that answers from a script: `next(event, call)` picks the step for each call
 * (a fixed outcome, or a hang that ends only on abort, or never).
 */
export function createFakeSink(
  name: string,
  next: (event: AuthwatchEvent, callIndex: number) => Step,
  options: { retryWindowMs?: number; now?: () => number } = {},
): FakeSink {
  const config: CommandSinkConfig = {
    type: "command",
    name,
    command: ["/bin/true"],
    timeoutMs: 1_000,
    events: undefined,
    match: undefined,
    retryWindowMs: options.retryWindowMs ?? 86_400_000,
  };
  const active = new Map<string, number>();
  const sink: FakeSink = {
    config,
    durable: true,
    calls: [],
    maxPerSession: 0,
    async deliver(event: AuthwatchEvent, context: DeliveryContext): Promise<DeliveryOutcome> {
      const session = "authSessionId" in event.data ? event.data.authSessionId : "";
      sink.calls.push({
        eventId: event.data.eventId,
        attempt: context.attempt,
        at: options.now?.() ?? Date.now(),
      });
      active.set(session, (active.get(session) ?? 0) + 1);
      sink.maxPerSession = Math.max(sink.maxPerSession, active.get(session) ?? 0);
      try {
        const step = next(event, sink.calls.length - 1);
        if (step === "hang-ignoring-abort") return await new Promise<never>(() => {});
        if (step === "hang") {
          return await new Promise<DeliveryOutcome>((resolve) => {
            const aborted = () => resolve({ kind: "retry", error: { code: "ABORTED", message: "aborted" } });
            if (context.signal.aborted) aborted();
            context.signal.addEventListener("abort", aborted, { once: true });
          });
        }
        await Promise.resolve();
        return step;
      } finally {
        active.set(session, (active.get(session) ?? 1) - 1);
      }
    },
  };
  return sink;
}

/** A logger whose lines a test can read back as JSON. */
export function captureLogger(): {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", destination });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    lines: () =>
      text()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
