import { AuthwatchError } from "../errors/authwatch-error.js";
import type { ErrorCode } from "../errors/codes.js";

export interface ApiErrorDetails {
  /** HTTP method and the request path, never the key (it travels in a header). */
  method: string;
  path: string;
  status?: number;
  cause?: unknown;
}

/** Base of every failure of an Intuned API call. `message` names the method and path. */
export class ApiError extends AuthwatchError {
  override name = "ApiError";
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;

  constructor(code: ErrorCode, summary: string, details: ApiErrorDetails) {
    super(code, `${summary} (${details.method} ${details.path})`, { cause: details.cause });
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
  }
}

export class UnauthorizedError extends ApiError {
  override name = "UnauthorizedError";
  constructor(details: ApiErrorDetails) {
    super(
      "UNAUTHORIZED",
      `API key refused: HTTP ${details.status ?? 401}; check the key and its workspace`,
      details,
    );
  }
}

export class NotFoundError extends ApiError {
  override name = "NotFoundError";
  /** `what` names the missing thing: the list endpoint's 404 is about the project or workspace. */
  constructor(details: ApiErrorDetails, what = "AuthSession") {
    super("NOT_FOUND", `${what} not found: HTTP 404`, details);
  }
}

export class RateLimitedError extends ApiError {
  override name = "RateLimitedError";
  /** From `Retry-After`, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(details: ApiErrorDetails & { retryAfterMs: number | undefined }) {
    const hint =
      details.retryAfterMs === undefined ? "" : `, retry after ${Math.ceil(details.retryAfterMs / 1000)}s`;
    super("RATE_LIMITED", `rate limited: HTTP 429${hint}`, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

export class ServerError extends ApiError {
  override name = "ServerError";
  constructor(details: ApiErrorDetails) {
    super("SERVER_ERROR", `server error: HTTP ${details.status}`, details);
  }
}

export class HttpStatusError extends ApiError {
  override name = "HttpStatusError";
  constructor(details: ApiErrorDetails) {
    super("HTTP_ERROR", `unexpected HTTP ${details.status}`, details);
  }
}

export class RequestTimeoutError extends ApiError {
  override name = "RequestTimeoutError";
  readonly timeoutMs: number;
  constructor(details: ApiErrorDetails & { timeoutMs: number }) {
    super("TIMEOUT", `no answer within ${details.timeoutMs}ms`, details);
    this.timeoutMs = details.timeoutMs;
  }
}

export class NetworkError extends ApiError {
  override name = "NetworkError";
  constructor(details: ApiErrorDetails & { reason: string }) {
    super("NETWORK_ERROR", `connection failed: ${details.reason}`, details);
  }
}

export class InvalidResponseError extends ApiError {
  override name = "InvalidResponseError";
  constructor(details: ApiErrorDetails & { reason: string }) {
    super("INVALID_RESPONSE", `invalid response: ${details.reason}`, details);
  }
}

/**
 * Which failures are worth another attempt: the server may answer differently later.
 * 401/403/404/other 4xx and malformed bodies will not improve by asking again.
 */
export function isRetryableApiError(error: unknown): boolean {
  return (
    error instanceof RateLimitedError ||
    error instanceof ServerError ||
    error instanceof RequestTimeoutError ||
    error instanceof NetworkError
  );
}
