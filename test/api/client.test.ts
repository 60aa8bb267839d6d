import { getEventListeners, setMaxListeners } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import type { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createIntunedClient } from "../../src/api/client.js";
import { createApiDispatcher } from "../../src/api/dispatcher.js";
import {
  type ApiError,
  HttpStatusError,
  InvalidResponseError,
  isRetryableApiError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  ServerError,
  UnauthorizedError,
} from "../../src/api/errors.js";
import type { IntunedClientOptions } from "../../src/api/types.js";
import { ConfigError } from "../../src/errors/config-error.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FaultSpec } from "../../src/fake-api/types.js";

const KEY = "sk-test-SECRET-1234";
const WRONG_KEY = "sk-test-WRONG-5678";
const WS = "123e4567-e89b-12d3-a456-426614174000";
const ref = { workspaceId: WS, projectName: "my-project", authSessionId: "auth-session-123" };
const PATH = `/api/v1/workspace/${WS}/projects/my-project/auth-sessions/auth-session-123`;

let api: FakeIntunedApi;
let dispatcher: Agent;

beforeAll(async () => {
  api = await startFakeIntunedApi({ apiKeys: [KEY], sessions: [{ ...ref, type: "CREDENTIALS" }] });
  dispatcher = createApiDispatcher({ timeoutMs: 2000 });
});

afterEach(() => {
  api.clearFaults();
  api.setStatus(ref, "READY", "CREDENTIALS");
});

afterAll(async () => {
  await dispatcher.close();
  await api.close();
});

function client(overrides: Partial<IntunedClientOptions> = {}) {
  return createIntunedClient({
    baseUrl: api.url,
    apiKey: { source: "env INTUNED_API_KEY", value: KEY },
    timeoutMs: 1000,
    dispatcher,
    ...overrides,
  });
}

/** Everything a log line, a --json output or a stack trace could show of an error. */
function everythingShown(error: unknown): string {
  const parts = [String(error), JSON.stringify(error), inspect(error, { depth: Number.POSITIVE_INFINITY })];
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    parts.push(cause.message, String(cause.stack), JSON.stringify(cause) ?? "");
  }
  return parts.join("\n");
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the request to fail");
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("createIntunedClient", () => {
  it("returns the validated session for a 200", async () => {
    await expect(client().getAuthSession(ref)).resolves.toEqual({
      id: "auth-session-123",
      type: "CREDENTIALS",
      status: "READY",
    });
    expect(api.requestLog().at(-1)).toMatchObject({ path: PATH, keyValid: true, status: 200 });
  });

  it("sends the key in x-api-key and asks for JSON", async () => {
    let seen: IncomingHttpHeaders = {};
    const server = createServer((req, res) => {
      seen = req.headers;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "s-1", type: "CREDENTIALS", status: "READY" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // A trailing slash on the base URL must not double the separator.
      await client({ baseUrl: `http://127.0.0.1:${port}/api/v1/workspace/` }).getAuthSession(ref);
      expect(seen["x-api-key"]).toBe(KEY);
      expect(seen.accept).toBe("application/json");
      expect(seen.authorization).toBeUndefined();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("encodes each path segment and the server decodes them back", async () => {
    const odd = { workspaceId: WS, projectName: "a b", authSessionId: "x(1),_y" };
    api.addSession({ ...odd, type: "RECORDER", timeline: [{ status: "PENDING" }] });
    const record = await client().getAuthSession(odd);
    expect(record).toMatchObject({ id: "x(1),_y", type: "RECORDER", status: "PENDING" });
    expect(api.requestLog().at(-1)?.path).toBe(
      `/api/v1/workspace/${WS}/projects/a%20b/auth-sessions/x(1)%2C_y`,
    );
    expect(api.requestsFor(odd).count).toBe(1);
  });

  it("sends a project named . or .. encoded, so no proxy or server can resolve it as a dot segment", async () => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "abc", type: "CREDENTIALS", status: "READY" }));
    });
    onTestFinished(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const raw = client({ baseUrl: `http://127.0.0.1:${port}/api/v1/workspace` });
    await raw.getAuthSession({ workspaceId: WS, projectName: "..", authSessionId: "abc" });
    await raw.getAuthSession({ workspaceId: WS, projectName: ".", authSessionId: "abc" });
    await raw.listAuthSessions(WS, "..").catch(() => undefined);
    expect(paths).toEqual([
      `/api/v1/workspace/${WS}/projects/%2E%2E/auth-sessions/abc`,
      `/api/v1/workspace/${WS}/projects/%2E/auth-sessions/abc`,
      `/api/v1/workspace/${WS}/projects/%2E%2E/auth-sessions`,
    ]);
  });

  it("keeps an unknown status as-is and reports it as not known", async () => {
    api.setStatus(ref, "SUSPENDED");
    await expect(client().getAuthSession(ref)).resolves.toMatchObject({
      status: "SUSPENDED",
    });
    api.setStatus(ref, "READY");
    api.injectFault({ kind: "unknownStatus", status: "LOCKED", count: 1 });
    await expect(client().getAuthSession(ref)).resolves.toMatchObject({
      status: "LOCKED",
    });
  });

  it("keeps an unknown session type as-is", async () => {
    api.setStatus(ref, "READY", "PASSKEY");
    await expect(client().getAuthSession(ref)).resolves.toMatchObject({ type: "PASSKEY" });
  });

  it("returns the id the API answered with, even when it is another one", async () => {
    api.injectFault({ kind: "differentId", id: "someone-else", count: 1 });
    await expect(client().getAuthSession(ref)).resolves.toMatchObject({ id: "someone-else" });
  });

  const inTwoMinutes = () => new Date(Date.now() + 120_000).toUTCString();
  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1_000).toUTCString();
  const scenarios: Array<{
    name: string;
    fault?: () => FaultSpec;
    options?: () => Promise<Partial<IntunedClientOptions>>;
    ask?: typeof ref;
    expected: new (...args: never[]) => ApiError;
    code: string;
    status?: number;
    retryable: boolean;
  }> = [
    {
      name: "a refused key (401)",
      options: async () => ({ apiKey: { source: "env INTUNED_API_KEY", value: WRONG_KEY } }),
      expected: UnauthorizedError,
      code: "UNAUTHORIZED",
      status: 401,
      retryable: false,
    },
    {
      name: "a forbidden key (403)",
      fault: () => ({ kind: "status", status: 403 }),
      expected: UnauthorizedError,
      code: "UNAUTHORIZED",
      status: 403,
      retryable: false,
    },
    {
      name: "an unknown session (404)",
      ask: { ...ref, authSessionId: "no-such-session" },
      expected: NotFoundError,
      code: "NOT_FOUND",
      status: 404,
      retryable: false,
    },
    {
      name: "429 with Retry-After seconds",
      fault: () => ({ kind: "status", status: 429, retryAfter: "7" }),
      expected: RateLimitedError,
      code: "RATE_LIMITED",
      status: 429,
      retryable: true,
    },
    {
      name: "429 with a Retry-After date",
      fault: () => ({ kind: "status", status: 429, retryAfter: inTwoMinutes() }),
      expected: RateLimitedError,
      code: "RATE_LIMITED",
      status: 429,
      retryable: true,
    },
    {
      name: "a 500",
      fault: () => ({ kind: "status", status: 500 }),
      expected: ServerError,
      code: "SERVER_ERROR",
      status: 500,
      retryable: true,
    },
    {
      name: "a 503",
      fault: () => ({ kind: "status", status: 503 }),
      expected: ServerError,
      code: "SERVER_ERROR",
      status: 503,
      retryable: true,
    },
    {
      name: "another status (418)",
      fault: () => ({ kind: "status", status: 418 }),
      expected: HttpStatusError,
      code: "HTTP_ERROR",
      status: 418,
      retryable: false,
    },
    {
      name: "headers slower than the timeout",
      fault: () => ({ kind: "latency", ms: 1000 }),
      options: async () => ({ timeoutMs: 80 }),
      expected: RequestTimeoutError,
      code: "TIMEOUT",
      retryable: true,
    },
    {
      name: "a body slower than the timeout",
      fault: () => ({ kind: "latency", ms: 1000, stage: "body" }),
      options: async () => ({ timeoutMs: 80 }),
      expected: RequestTimeoutError,
      code: "TIMEOUT",
      retryable: true,
    },
    {
      name: "a reset connection",
      fault: () => ({ kind: "reset" }),
      expected: NetworkError,
      code: "NETWORK_ERROR",
      retryable: true,
    },
    {
      name: "a refused connection",
      options: async () => ({ baseUrl: `http://127.0.0.1:${await closedPort()}/api/v1/workspace` }),
      expected: NetworkError,
      code: "NETWORK_ERROR",
      retryable: true,
    },
    {
      name: "malformed JSON",
      fault: () => ({ kind: "malformedJson" }),
      expected: InvalidResponseError,
      code: "INVALID_RESPONSE",
      status: 200,
      retryable: false,
    },
    {
      name: "a body of the wrong shape",
      fault: () => ({ kind: "wrongShape" }),
      expected: InvalidResponseError,
      code: "INVALID_RESPONSE",
      status: 200,
      retryable: false,
    },
  ];

  for (const scenario of scenarios) {
    it(`maps ${scenario.name} to ${scenario.expected.name}, retryable ${scenario.retryable}, without the key`, async () => {
      if (scenario.fault) api.injectFault(scenario.fault());
      const options = scenario.options ? await scenario.options() : {};
      const asked = scenario.ask ?? ref;
      const error = await failure(client(options).getAuthSession(asked));

      expect(error).toBeInstanceOf(scenario.expected);
      const apiError = error as ApiError;
      expect(apiError.code).toBe(scenario.code);
      expect(apiError.status).toBe(scenario.status);
      expect(apiError.method).toBe("GET");
      expect(apiError.path).toBe(
        `/api/v1/workspace/${WS}/projects/${asked.projectName}/auth-sessions/${asked.authSessionId}`,
      );
      expect(apiError.message).toContain(`GET ${apiError.path}`);
      expect(isRetryableApiError(error)).toBe(scenario.retryable);
      const shown = everythingShown(error);
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain(WRONG_KEY);
      expect(shown).not.toContain("SECRET");
    });
  }

  it("caps an absurd Retry-After, in seconds or as a date in 2100, at one minute", async () => {
    api.injectFault({ kind: "status", status: 429, retryAfter: 1_000_000_000, count: 1 });
    const seconds = (await failure(client().getAuthSession(ref))) as RateLimitedError;
    expect(seconds.retryAfterMs).toBe(60_000);

    api.injectFault({ kind: "status", status: 429, retryAfter: "Fri, 01 Jan 2100 00:00:00 GMT", count: 1 });
    const date = (await failure(client().getAuthSession(ref))) as RateLimitedError;
    expect(date.retryAfterMs).toBe(60_000);
  });

  it("reads Retry-After seconds and dates into retryAfterMs", async () => {
    api.injectFault({ kind: "status", status: 429, retryAfter: 7, count: 1 });
    const seconds = (await failure(client().getAuthSession(ref))) as RateLimitedError;
    expect(seconds.retryAfterMs).toBe(7000);

    api.injectFault({ kind: "status", status: 429, retryAfter: inSeconds(40), count: 1 });
    const date = (await failure(client().getAuthSession(ref))) as RateLimitedError;
    // An HTTP date has whole seconds, so up to one second is lost to rounding.
    expect(date.retryAfterMs).toBeGreaterThan(38_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(40_000);

    api.injectFault({ kind: "status", status: 429, count: 1 });
    const none = (await failure(client().getAuthSession(ref))) as RateLimitedError;
    expect(none.retryAfterMs).toBeUndefined();
  });

  it("gives up at the timeout, not at undici's defaults", async () => {
    api.injectFault({ kind: "latency", ms: 2000 });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 100 }).getAuthSession(ref));
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).timeoutMs).toBe(100);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("reports a timeout as a timeout even when the caller passed a signal", async () => {
    api.injectFault({ kind: "latency", ms: 2000 });
    const controller = new AbortController();
    const error = await failure(client({ timeoutMs: 80 }).getAuthSession(ref, { signal: controller.signal }));
    expect(error).toBeInstanceOf(RequestTimeoutError);
  });

  it("stops promptly when the caller aborts, rethrowing the caller's reason rather than a timeout", async () => {
    api.injectFault({ kind: "latency", ms: 3000 });
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const started = Date.now();
    const pending = client({ timeoutMs: 5000 }).getAuthSession(ref, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    const error = await failure(pending);
    expect(error).toBe(reason);
    expect(error).not.toBeInstanceOf(RequestTimeoutError);
    expect(isRetryableApiError(error)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    // The server saw the client leave too, long before its 3 s latency was over.
    const entry = await api.waitForRequest((e) => e.status === "aborted" && e.at >= started, 1000);
    expect(entry.path).toBe(PATH);
  });

  it("rejects with the abort reason without sending anything when the signal is already aborted", async () => {
    const before = api.requestsFor(ref).count;
    const error = await failure(client().getAuthSession(ref, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(api.requestsFor(ref).count).toBe(before);
  });

  it("holds one listener on a caller signal however many requests share it, and aborts them all", async () => {
    api.injectFault({ kind: "latency", ms: 3000 });
    const shutdown = new AbortController();
    const c = client({ timeoutMs: 5000 });
    const pending = Array.from({ length: 20 }, () => c.getAuthSession(ref, { signal: shutdown.signal }));
    // Node warns past 10 listeners on one signal: a listener per request would, with 16 polls in flight.
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(1);
    const reason = new Error("shutting down");
    shutdown.abort(reason);
    const settled = await Promise.allSettled(pending);
    expect(settled.map((result) => (result.status === "rejected" ? result.reason : result))).toEqual(
      Array(20).fill(reason),
    );
  });

  it("times out each request of a burst within an eighth of its timeout, then keeps no timer", async () => {
    api.injectFault({ kind: "latency", ms: 3000 });
    const c = client({ timeoutMs: 400 });
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timers();
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 20)).then(() =>
          failure(c.getAuthSession(ref)).then((error) => ({
            error,
            at: performance.now() - started - i * 20,
          })),
        ),
      ),
    );
    for (const { error, at } of outcomes) {
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(at).toBeGreaterThanOrEqual(395);
      // 400 ms, a check every 50 ms, and room for a loaded machine.
      expect(at).toBeLessThan(400 + 50 + 250);
    }
    await expect.poll(timers, { timeout: 2_000 }).toBeLessThanOrEqual(before);
  });

  it("leaves no listener on a long-lived caller signal once requests settle", async () => {
    const shutdown = new AbortController();
    setMaxListeners(50, shutdown.signal);
    const c = client();
    await Promise.all(Array.from({ length: 20 }, () => c.getAuthSession(ref, { signal: shutdown.signal })));
    api.injectFault({ kind: "status", status: 500, count: 5 });
    await Promise.allSettled(
      Array.from({ length: 5 }, () => c.getAuthSession(ref, { signal: shutdown.signal })),
    );
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  });

  it("refuses, at creation, a key that no HTTP header can carry, without echoing it", () => {
    const create = () => client({ apiKey: { source: "file /run/key", value: `${KEY}\n` } });
    expect(create).toThrow(ConfigError);
    const error = (() => {
      try {
        create();
      } catch (caught) {
        return caught;
      }
    })();
    expect(String(error)).toContain("file /run/key");
    expect(everythingShown(error)).not.toContain("SECRET");
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(() => client({ baseUrl: "ftp://example.com/api" })).toThrow(ConfigError);
    expect(() => client({ baseUrl: "not a url" })).toThrow(ConfigError);
  });

  it("exposes the key's source, not its value", () => {
    const c = client();
    expect(c.keySource).toBe("env INTUNED_API_KEY");
    expect(everythingShown(c)).not.toContain(KEY);
  });
});
