import { STATUS_CODES } from "node:http";
import { parseRetryAfter } from "../api/retry-after.js";
import { formatDuration } from "../duration.js";
import type { DeliveryOutcome } from "./sink.js";

/**
 * The one retry policy every HTTP sink shares, so a receiver's answer means the same thing whatever
 * format it receives. Codes are `HTTP_<status>` for answers and the table below for everything else;
 * messages never carry a URL (the caller adds `redactUrl(url)` when it names the target).
 */
export const DELIVERY_ERROR_CODES = {
  "HTTP_<status>": "The receiver answered with this non-2xx status.",
  "SMTP_<code>": "The SMTP server refused the mail with this reply code (4xx retried, 5xx dead-lettered).",
  TIMEOUT: "No complete answer within the sink's timeout.",
  NETWORK_ERROR: "The connection failed (refused, reset, DNS).",
  ABORTED: "The attempt was cancelled because authwatch is stopping; it is retried later.",
  INVALID_URL: "The sink's URL is not an http(s) URL.",
  COMMAND_FAILED: "The command exited with a non-zero code or was killed by a signal.",
  COMMAND_TIMEOUT: "The command did not finish within its timeout and was killed.",
  COMMAND_NOT_FOUND: "The command's program does not exist.",
  COMMAND_SPAWN_FAILED: "The command's program could not be started (e.g. not executable).",
  CONSOLE_FAILED: "The console sink could not write its log line.",
  WINDOW_ENDED:
    "The sink's retry window ended before the event could be sent (e.g. authwatch was down); dead-lettered unsent.",
} as const;

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Classifies a receiver's answer: 2xx delivered; 408/429/5xx retry; 410 disable; 3xx and other 4xx permanent. */
export function classifyHttpStatus(status: number, headers: ResponseHeaders, now: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  const error = { code: `HTTP_${status}`, message: describeStatus(status) };
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
  const name = error instanceof Error ? error.name : "";
  const code = errorCode(error);
  if (name === "TimeoutError" || (code !== undefined && TIMEOUT_CODES.has(code))) {
    const within = options.timeoutMs === undefined ? "" : ` within ${formatDuration(options.timeoutMs)}`;
    return { kind: "retry", error: { code: "TIMEOUT", message: `no complete answer${within}` } };
  }
  if (name === "AbortError" || code === "UND_ERR_ABORTED" || code === "ABORT_ERR") {
    return { kind: "retry", error: { code: "ABORTED", message: "delivery cancelled" } };
  }
  const reason = [code, name].find((word) => word !== undefined && SAFE_WORD.test(word)) ?? "unknown error";
  return {
    kind: "retry",
    error: { code: "NETWORK_ERROR", message: `connection failed: ${reason}` },
  };
}

/** Codes and class names are identifiers; anything else might be text that quotes the URL. */
const SAFE_WORD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

function describeStatus(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `HTTP ${status} ${text}` : `HTTP ${status}`;
}

/** The most specific code: the error's own, its cause's, or (Happy Eyeballs) the first attempt's. */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== error) {
    const fromCause = errorCode(cause, depth + 1);
    if (fromCause) return fromCause;
  }
  if (error instanceof AggregateError) return errorCode(error.errors[0], depth + 1);
  return undefined;
}
