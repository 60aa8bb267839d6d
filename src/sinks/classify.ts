import { STATUS_CODES } from "node:http";
import { parseRetryAfter } from "../api/retry-after.js";
import { formatDuration } from "../duration.js";
import { httpStatusCode } from "../errors/codes.js";
import { classifyNetworkFailure } from "../errors/network-failure.js";
import type { DeliveryOutcome } from "./sink.js";

/**
 * The one retry policy every HTTP sink shares, so a receiver's answer means the same thing whatever
 * format it receives. Codes are `HTTP_<status>` for answers and the shared table (src/errors/codes.ts)
 * for everything else; messages never carry a URL (the caller adds `redactUrl(url)` when it names
 * the target).
 */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Classifies a receiver's answer: 2xx delivered; 408/429/5xx retry; 410 disable; 3xx and other 4xx permanent. */
export function classifyHttpStatus(status: number, headers: ResponseHeaders, now: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  const error = { code: httpStatusCode(status), message: describeStatus(status) };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers["retry-after"], now);
    const hint =
      retryAfterMs === undefined
        ? ""
        : `; the receiver asked for ${formatDuration(retryAfterMs)} before a retry`;
    const retry = { ...error, message: `${error.message}${hint}` };
    return retryAfterMs === undefined
      ? { kind: "retry", error: retry }
      : { kind: "retry", error: retry, retryAfterMs };
  }
  if (status === 410) {
    return {
      kind: "disable",
      error: {
        ...error,
        message: `${error.message}: the receiver is gone; sink disabled until its config changes`,
      },
    };
  }
  if (status >= 300 && status < 400) {
    // Following a redirect would re-send a signed body to a host nobody configured.
    return {
      kind: "permanent",
      error: {
        ...error,
        message: `${error.message}: redirects are not followed; point the sink at the final URL`,
      },
    };
  }
  return {
    kind: "permanent",
    error: { ...error, message: `${error.message}: the receiver rejected the event` },
  };
}

export interface ClassifyErrorOptions {
  /** The timeout that applied, for the message. */
  timeoutMs?: number;
}

/**
 * Classifies a failure to get any answer. All of these may go away by themselves, so all are retried.
 * The message is built from error codes only: undici and libuv messages can name the host or URL.
 */
export function classifyError(error: unknown, options: ClassifyErrorOptions = {}): DeliveryOutcome {
  const failure = classifyNetworkFailure(error);
  switch (failure.kind) {
    case "timeout": {
      const within = options.timeoutMs === undefined ? "" : ` within ${formatDuration(options.timeoutMs)}`;
      return { kind: "retry", error: { code: "TIMEOUT", message: `no complete answer${within}` } };
    }
    case "aborted":
      return { kind: "retry", error: { code: "ABORTED", message: "delivery cancelled" } };
    case "network":
      return {
        kind: "retry",
        error: { code: "NETWORK_ERROR", message: `connection failed: ${failure.reason}` },
      };
  }
}

function describeStatus(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `HTTP ${status} ${text}` : `HTTP ${status}`;
}
