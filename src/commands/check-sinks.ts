import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { ResolvedConfig, SinkConfig } from "../config/types.js";
import type { TransitionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { createSink } from "../sinks/create-sink.js";
import type { DeliveryError } from "../sinks/sink.js";

/** The session a test event is about: nobody watches it, and every text names it. */
export const TEST_PROJECT = "authwatch-test";
export const TEST_SESSION = "check-sinks";
export const TEST_LABELS = { test: "authwatch check --sinks" };

export interface SinkTestResult {
  name: string;
  type: SinkConfig["type"];
  ok: boolean;
  /** `accepted`, or the outcome's code and message (never a secret: outcomes carry none). */
  detail: string;
}

export interface TestSinksDeps {
  logger: Logger;
  /** What command sinks inherit (secrets removed). */
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  newEventId?: () => string;
  /** Per sink; a sink's own timeout applies within it. */
  timeoutMs?: number;
}

/**
 * `check --sinks`: one clearly marked test event to every sink, whatever its filters (project
 * `authwatch-test`, session `check-sinks`, label `test`), straight to the sink with no outbox and no
 * retry: the answer is the result. PagerDuty gets the trigger and then its resolve, so no incident
 * stays open. Sinks run one after the other, so their output does not interleave.
 */
export async function testSinks(config: ResolvedConfig, deps: TestSinksDeps): Promise<SinkTestResult[]> {
  const now = deps.clock?.now() ?? Date.now();
  const newEventId = deps.newEventId ?? randomUUID;
  const results: SinkTestResult[] = [];
  for (const sinkConfig of config.sinks) {
    const sink = createSink(sinkConfig, {
      logger: deps.logger,
      env: deps.env,
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    const events =
      sinkConfig.type === "pagerduty"
        ? [testEvent(config, now, newEventId(), "EXPIRED"), testEvent(config, now, newEventId(), "READY")]
        : [testEvent(config, now, newEventId(), "EXPIRED")];
    let failed: DeliveryError | undefined;
    try {
      for (const [index, event] of events.entries()) {
        const outcome = await sink.deliver(event, {
          signal: AbortSignal.timeout(deps.timeoutMs ?? 60_000),
          attempt: index + 1,
        });
        // A mail some recipients refused for good is a finding too: the watchlist names a bad address.
        failed = outcome.kind === "delivered" ? outcome.partial : outcome.error;
        if (failed) break;
      }
    } finally {
      await sink.close?.();
    }
    results.push({
      name: sinkConfig.name,
      type: sinkConfig.type,
      ok: failed === undefined,
      detail:
        failed === undefined
          ? sinkConfig.type === "pagerduty"
            ? "accepted (trigger and resolve)"
            : "accepted"
          : `${failed.code}: ${failed.message}`,
    });
  }
  return results;
}

function testEvent(
  config: ResolvedConfig,
  now: number,
  eventId: string,
  to: "EXPIRED" | "READY",
): TransitionEvent {
  const at = new Date(now).toISOString();
  return {
    type: to === "EXPIRED" ? "authsession.expired" : "authsession.ready",
    timestamp: at,
    data: {
      eventId,
      workspaceId:
        config.workspaceId ?? config.sessions[0]?.workspaceId ?? "00000000-0000-0000-0000-000000000000",
      projectName: TEST_PROJECT,
      authSessionId: TEST_SESSION,
      sessionType: null,
      from: to === "EXPIRED" ? "READY" : "EXPIRED",
      to,
      observedAt: at,
      previousSince: null,
      labels: { ...TEST_LABELS },
    },
  };
}
