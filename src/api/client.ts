import type { Dispatcher } from "undici";
import { ConfigError } from "../errors/config-error.js";
import { classifyNetworkFailure } from "../errors/network-failure.js";
import type { SessionRef } from "../types.js";
import { getDefaultDispatcher } from "./dispatcher.js";
import {
  ApiError,
  type ApiErrorDetails,
  HttpStatusError,
  InvalidResponseError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  ServerError,
  UnauthorizedError,
} from "./errors.js";
import { encodePathSegment } from "./path-segment.js";
import { RequestDeadlines } from "./request-deadlines.js";
import { MAX_API_PAUSE_MS, parseRetryAfter } from "./retry-after.js";
import type { AuthSessionRecord, IntunedClient, IntunedClientOptions, RequestOptions } from "./types.js";
import { parseAuthSessionBody, parseAuthSessionList } from "./validate.js";

/** An AuthSession is three short strings; anything this large is not one. */
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * A project's list has no paging: 100,000 sessions with long ids are about 15 MB of JSON. The cap
 * leaves room for that and for fields the API may add, and still stops a runaway body.
 */
export const MAX_LIST_BODY_BYTES = 64 * 1024 * 1024;

/** Characters undici accepts in a header value; anything else would fail on every request. */
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * A client for one (baseUrl, key) pair. The key is checked here, once, so that a key that can never
 * be sent (say, with a trailing newline from a file) is a config error at start, not a failure per poll.
 */
export function createIntunedClient(options: IntunedClientOptions): IntunedClient {
  const { origin, pathPrefix } = parseBaseUrl(options.baseUrl);
  const { apiKey, timeoutMs } = options;
  if (apiKey.value === "" || INVALID_HEADER_CHAR.test(apiKey.value)) {
    throw new ConfigError(apiKey.source, [
      {
        path: "",
        message: "the API key is empty or has characters an HTTP header cannot carry (a newline?)",
      },
    ]);
  }
  const dispatcher = options.dispatcher ?? getDefaultDispatcher();
  const headers = { "x-api-key": apiKey.value, accept: "application/json" };
  const deadlines = new RequestDeadlines(timeoutMs);

  /** One GET with the whole-request deadline and the shared error vocabulary; `read` turns a 2xx into T. */
  async function get<T>(
    path: string,
    requestOptions: RequestOptions,
    read: (response: Dispatcher.ResponseData, details: ApiErrorDetails) => Promise<T>,
  ): Promise<T> {
    const details: ApiErrorDetails = { method: "GET", path };
    const callerSignal = requestOptions.signal;
    callerSignal?.throwIfAborted();

    const deadline = deadlines.start(callerSignal);
    try {
      // dispatcher.request rather than undici.request(url): the latter runs the path through
      // `new URL`, which would resolve a project named ".." instead of sending it.
      const response = await dispatcher.request({
        origin,
        path,
        method: "GET",
        headers,
        signal: deadline,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      return await read(response, details);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      // A caller's abort is theirs to interpret (shutdown, `wait` deadline), never a failed poll.
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (deadline.timedOut) throw new RequestTimeoutError({ ...details, timeoutMs, cause: error });
      throw classifyFailure(error, details, timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  const projectPath = (workspaceId: string, projectName: string) =>
    `${pathPrefix}/${encodePathSegment(workspaceId)}/projects/${encodePathSegment(projectName)}/auth-sessions`;

  return {
    keySource: apiKey.source,
    getAuthSession(ref: SessionRef, requestOptions: RequestOptions = {}): Promise<AuthSessionRecord> {
      const path = `${projectPath(ref.workspaceId, ref.projectName)}/${encodePathSegment(ref.authSessionId)}`;
      return get(path, requestOptions, async (response, details) => {
        const json = await readJson(response, details, MAX_BODY_BYTES);
        const parsed = parseAuthSessionBody(json);
        if (!parsed.ok) throw new InvalidResponseError({ ...details, status: 200, reason: parsed.reason });
        return parsed.record;
      });
    },
    listAuthSessions(
      workspaceId: string,
      projectName: string,
      requestOptions: RequestOptions = {},
    ): Promise<AuthSessionRecord[]> {
      return get(projectPath(workspaceId, projectName), requestOptions, async (response, details) => {
        const json = await readJson(response, details, MAX_LIST_BODY_BYTES, "project or workspace");
        const parsed = parseAuthSessionList(json);
        if (!parsed.ok) throw new InvalidResponseError({ ...details, status: 200, reason: parsed.reason });
        return parsed.records;
      });
    },
  };
}

function parseBaseUrl(baseUrl: string): { origin: string; pathPrefix: string } {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    // The URL itself is not echoed: it may carry credentials.
    throw new ConfigError("Intuned API", [{ path: "api.baseUrl", message: "is not an http(s) URL" }]);
  }
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, "") };
}

/** A 2xx body as JSON, at most `maxBytes`; any other status as its ApiError. */
async function readJson(
  response: Dispatcher.ResponseData,
  details: ApiErrorDetails,
  maxBytes: number,
  notFound?: string,
): Promise<unknown> {
  const { statusCode, headers, body } = response;
  if (statusCode < 200 || statusCode > 299) {
    // The status says all we need; the body is read only to free the connection for reuse.
    await body.dump().catch(() => undefined);
    throw statusError(statusCode, headers["retry-after"], details, notFound);
  }
  // A declared length within the limit is read in one go; otherwise stream and count.
  const length = Number(headers["content-length"]);
  const text =
    length >= 0 && length <= maxBytes ? await body.text() : await readText(body, details, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidResponseError({ ...details, status: statusCode, reason: "body is not valid JSON" });
  }
}

async function readText(
  body: Dispatcher.ResponseData["body"],
  details: ApiErrorDetails,
  maxBytes: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new InvalidResponseError({ ...details, reason: `body larger than ${maxBytes} bytes` });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

function statusError(
  status: number,
  retryAfter: string | string[] | undefined,
  details: ApiErrorDetails,
  notFound?: string,
): ApiError {
  const withStatus = { ...details, status };
  if (status === 401 || status === 403) return new UnauthorizedError(withStatus);
  if (status === 404) return new NotFoundError(withStatus, notFound);
  if (status === 429) {
    return new RateLimitedError({
      ...withStatus,
      retryAfterMs: parseRetryAfter(retryAfter, Date.now(), MAX_API_PAUSE_MS),
    });
  }
  if (status >= 500) return new ServerError(withStatus);
  return new HttpStatusError(withStatus);
}

/**
 * Everything that is not an HTTP answer counts as a network failure: the connection, not the request,
 * went wrong, so asking again may work. The original error stays in `cause` (it never holds headers).
 */
function classifyFailure(error: unknown, details: ApiErrorDetails, timeoutMs: number): ApiError {
  const failure = classifyNetworkFailure(error);
  if (failure.kind === "timeout") return new RequestTimeoutError({ ...details, timeoutMs, cause: error });
  // Not the caller's abort (handled before): the connection was torn down under the request.
  const reason = failure.kind === "aborted" ? "request aborted" : failure.reason;
  return new NetworkError({ ...details, reason, cause: error });
}
