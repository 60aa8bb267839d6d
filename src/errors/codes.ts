/**
 * Every stable error code authwatch reports, in one table: the API client's, the commands', and the
 * sinks' delivery codes alike. Codes appear in `--json` output, in events (`error.code`), in
 * `history` and in logs; scripts may match on them, so they never change meaning.
 * test/readme.test.ts checks that docs/error-codes.md documents each one.
 */
export const ERROR_CODES = {
  UNAUTHORIZED: "The API refused the key (HTTP 401 or 403).",
  NOT_FOUND: "The API has no such AuthSession (HTTP 404).",
  RATE_LIMITED: "The API asked us to slow down (HTTP 429); `retryAfterMs` says for how long.",
  SERVER_ERROR: "The API failed (HTTP 5xx).",
  HTTP_ERROR: "The API answered with another unexpected HTTP status.",
  TIMEOUT: "No complete answer within the request timeout.",
  NETWORK_ERROR: "The connection failed (refused, reset, DNS).",
  INVALID_RESPONSE: "The API answered 200 with a body that is not the AuthSession shape.",
  CONFIG_INVALID: "The watchlist or the environment it names is invalid.",
  USAGE: "The command line is wrong.",
  WAIT_TIMEOUT: "`wait` reached its deadline before every session had the wanted status.",
  WAIT_ENDED_EARLY: "`wait` stopped because a session can no longer reach the wanted status.",
  WAIT_API_FAILING: "`wait` reached its deadline while the API was failing.",
  ABORTED: "The operation was cancelled (a signal, or authwatch stopping; a delivery is retried later).",
  STORE_ERROR: "The state file could not be opened or written.",
  STATE_IN_USE:
    "Another `authwatch watch` holds the state file (its pid and host are named); a second one refuses to start (exit 2).",
  LISTEN_FAILED: "`--listen`'s port is in use (exit 1, so a service manager retries).",
  INTERNAL: "An unexpected error (a bug): the message says what failed.",
  INVALID_URL: "A sink's URL is not an http(s) URL.",
  COMMAND_FAILED: "A command sink's program exited non-zero or was killed by a signal.",
  COMMAND_TIMEOUT: "A command sink's program did not finish within its timeout and was killed.",
  COMMAND_NOT_FOUND: "A command sink's program does not exist.",
  COMMAND_SPAWN_FAILED: "A command sink's program could not be started (e.g. not executable).",
  CONSOLE_FAILED: "The console sink could not write its log line.",
  WINDOW_ENDED:
    "A delivery's retry window ended before it could be sent (e.g. authwatch was down); dead-lettered unsent.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A receiver's non-2xx answer, `HTTP_503`: the one code family that is not in the table. */
export type HttpStatusCode = `HTTP_${number}`;

/** An SMTP server's refusal, `SMTP_550` (4xx retried, 5xx dead-lettered). */
export type SmtpReplyCode = `SMTP_${number}`;

/** Every code an `error.code` can carry. */
export type FailureCode = ErrorCode | HttpStatusCode | SmtpReplyCode;

/** The documented form of the HTTP status family (docs/error-codes.md lists it under this name). */
export const HTTP_STATUS_CODE_PATTERN = "HTTP_<status>";

/** The code families outside the table, as docs/error-codes.md names them. */
export const CODE_FAMILIES = [HTTP_STATUS_CODE_PATTERN, "SMTP_<code>"] as const;

export function httpStatusCode(status: number): HttpStatusCode {
  return `HTTP_${status}`;
}
