import { createHttpSink, type HttpSinkDeps } from "./http-sink.js";
import { buildPagerDutyBody } from "./pagerduty-body.js";
import type { PagerDutySinkConfig } from "./pagerduty-kind.js";
import type { DeliveryOutcome, Sink } from "./sink.js";

/** Enough of PagerDuty's answer to say why it refused an event. */
const ANSWER_BYTES = 4_096;

/**
 * Sends trigger and resolve events to the Events API v2. 202 is success; a 400 names PagerDuty's
 * reasons and is permanent; 429 and 5xx are retried like any HTTP sink's.
 */
export function createPagerDutySink(config: PagerDutySinkConfig, deps: HttpSinkDeps = {}): Sink {
  return createHttpSink({
    config,
    deps,
    url: config.url,
    async attempt(event, _context, http) {
      const body = buildPagerDutyBody({ routingKey: config.routingKey.value, event, now: http.now() });
      // Nothing to open or close (e.g. authsession.pending): nothing to send.
      if (body === undefined) return { kind: "delivered" };
      const result = await http.post({
        url: config.url,
        headers: { "content-type": "application/json", "user-agent": http.userAgent },
        body: JSON.stringify(body),
        readBodyBytes: ANSWER_BYTES,
      });
      const outcome = http.classify(result);
      if (!result.answered || result.status !== 400 || outcome.kind !== "permanent") return outcome;
      return withReasons(outcome, result.text, config.routingKey.value);
    },
  });
}

/** `…: PagerDuty refused the event: Event object is invalid ('payload.summary' is missing)`. */
function withReasons(
  outcome: DeliveryOutcome & { kind: "permanent" },
  text: string,
  routingKey: string,
): DeliveryOutcome {
  let reasons = "";
  try {
    const answer = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(answer.errors) ? answer.errors.map(String).join("; ") : "";
    reasons = [typeof answer.message === "string" ? answer.message : "", errors ? `(${errors})` : ""]
      .filter(Boolean)
      .join(" ");
  } catch {
    // Not PagerDuty's JSON (a proxy's page): the status says enough.
  }
  if (reasons === "") return outcome;
  // PagerDuty may quote what it refused; the routing key is a secret.
  const safe = reasons.replaceAll(routingKey, "[routing key]").slice(0, 400);
  return {
    ...outcome,
    error: { ...outcome.error, message: `HTTP 400 Bad Request: PagerDuty refused the event: ${safe}` },
  };
}
