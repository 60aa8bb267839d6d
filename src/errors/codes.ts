/**
 * Every stable error code authwatch reports, in one table. Codes appear in `--json` output,
 * in events (`error.code`) and in logs; scripts may match on them, so they never change meaning.
 * test/errors/codes.test.ts checks that the README documents each one.
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
  ABORTED: "The operation was cancelled (signal).",
  STORE_ERROR: "The state file could not be opened or written.",
  INTERNAL: "An unexpected error (a bug): the message says what failed.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
