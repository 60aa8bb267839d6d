import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createIntunedClient, MAX_LIST_BODY_BYTES } from "../../src/api/client.js";
import { createApiDispatcher } from "../../src/api/dispatcher.js";
import {
  InvalidResponseError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  ServerError,
  UnauthorizedError,
} from "../../src/api/errors.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";

const KEY = "sk-test-SECRET-1234";
const WS = "123e4567-e89b-12d3-a456-426614174000";
const project = { workspaceId: WS, projectName: "logins" };

let api: FakeIntunedApi;
let dispatcher: Agent;

beforeAll(async () => {
  api = await startFakeIntunedApi({
    apiKeys: [KEY],
    sessions: [
      { ...project, authSessionId: "user-1", type: "CREDENTIALS" },
      { ...project, authSessionId: "user-2", type: "RECORDER", timeline: [{ status: "EXPIRED" }] },
    ],
  });
  dispatcher = createApiDispatcher({ timeoutMs: 2000 });
});
afterEach(() => api.clearFaults());
afterAll(async () => {
  await dispatcher.close();
  await api.close();
});

const client = (baseUrl = api.url, key = KEY, timeoutMs = 1000) =>
  createIntunedClient({
    baseUrl,
    apiKey: { source: "env INTUNED_API_KEY", value: key },
    timeoutMs,
    dispatcher,
  });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the list to fail");
}

/** A server answering every request with `body` (and its status), for bodies the fake cannot make. */
async function serveBody(body: string | Buffer, status = 200): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/workspace`;
}

describe("listAuthSessions", () => {
  it("returns every session of the project with the single GET's record shape", async () => {
    await expect(client().listAuthSessions(WS, "logins")).resolves.toEqual([
      { id: "user-1", type: "CREDENTIALS", status: "READY" },
      { id: "user-2", type: "RECORDER", status: "EXPIRED" },
    ]);
    const last = api.requestLog().at(-1);
    expect(last).toMatchObject({
      kind: "list",
      path: `/api/v1/workspace/${WS}/projects/logins/auth-sessions`,
    });
  });

  it("maps failures to the same error classes as the single GET", async () => {
    expect(await failure(client(api.url, "sk-wrong").listAuthSessions(WS, "logins"))).toBeInstanceOf(
      UnauthorizedError,
    );
    const missing = await failure(client().listAuthSessions(WS, "no-such-project"));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toMatch(/^project or workspace not found: HTTP 404 \(GET /);
    api.injectFault({ kind: "status", status: 502, count: 1 });
    expect(await failure(client().listAuthSessions(WS, "logins"))).toBeInstanceOf(ServerError);
    api.injectFault({ kind: "status", status: 429, retryAfter: 3, count: 1 });
    const limited = await failure(client().listAuthSessions(WS, "logins"));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(3000);
    api.injectFault({ kind: "reset", count: 1 });
    expect(await failure(client().listAuthSessions(WS, "logins"))).toBeInstanceOf(NetworkError);
    api.injectFault({ kind: "latency", ms: 1500, count: 1 });
    expect(await failure(client(api.url, KEY, 200).listAuthSessions(WS, "logins"))).toBeInstanceOf(
      RequestTimeoutError,
    );
  });

  it("treats a body that is not a list of AuthSessions as INVALID_RESPONSE", async () => {
    for (const fault of [{ kind: "malformedJson" }, { kind: "wrongShape" }] as const) {
      api.injectFault({ ...fault, count: 1 });
      const error = await failure(client().listAuthSessions(WS, "logins"));
      expect(error, fault.kind).toBeInstanceOf(InvalidResponseError);
    }
    const badItem = await failure(
      client(
        await serveBody('[{"id":"a","type":"CREDENTIALS","status":"READY"},{"id":"b"}]'),
      ).listAuthSessions(WS, "logins"),
    );
    expect((badItem as Error).message).toContain("item [1]: `type` is missing");
    const twice = await failure(
      client(
        await serveBody(
          '[{"id":"a","type":"CREDENTIALS","status":"READY"},{"id":"a","type":"CREDENTIALS","status":"EXPIRED"}]',
        ),
      ).listAuthSessions(WS, "logins"),
    );
    expect((twice as Error).message).toContain("id listed twice");
  });

  it("reads an empty list as a real answer", async () => {
    await expect(client(await serveBody("[]")).listAuthSessions(WS, "logins")).resolves.toEqual([]);
  });

  it("reads a list of 100,000 sessions, larger than the single GET's body cap", async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({
      id: `customer-user-session-${i}-with-a-long-identifier`,
      type: "CREDENTIALS",
      status: "READY",
    }));
    const body = Buffer.from(JSON.stringify(items));
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const records = await client(await serveBody(body), KEY, 10_000).listAuthSessions(WS, "logins");
    expect(records).toHaveLength(100_000);
    expect(records[99_999]?.id).toBe("customer-user-session-99999-with-a-long-identifier");
  });

  it("refuses a list body above its cap as INVALID_RESPONSE", async () => {
    // Not a real 64 MB body: the cap is checked against a streamed body without a length.
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent <= MAX_LIST_BODY_BYTES / chunk.length) {
          sent++;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    const error = await failure(client(url, KEY, 20_000).listAuthSessions(WS, "logins"));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain("body larger than");
  });
});
