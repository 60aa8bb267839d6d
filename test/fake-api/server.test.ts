import { Agent, request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseSessionPath, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeIntunedApi } from "../../src/fake-api/types.js";

const KEY = "sk-test-SECRET-1234";
const NEW_KEY = "sk-test-SECRET-ROTATED";
const WS = "123e4567-e89b-12d3-a456-426614174000";
const ref = { workspaceId: WS, projectName: "demo", authSessionId: "s-1" };
const other = { workspaceId: WS, projectName: "demo", authSessionId: "s-2" };

let dispatcher: Agent;
const opened: FakeIntunedApi[] = [];

beforeAll(() => {
  dispatcher = new Agent({ headersTimeout: 2000, bodyTimeout: 2000 });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((api) => api.close()));
});
afterAll(async () => {
  await dispatcher.close();
});

async function start(options: Partial<Parameters<typeof startFakeIntunedApi>[0]> = {}) {
  const api = await startFakeIntunedApi({
    apiKeys: [KEY],
    sessions: [
      { ...ref, type: "CREDENTIALS" },
      { ...other, type: "RECORDER" },
    ],
    ...options,
  });
  opened.push(api);
  return api;
}

function pathOf(api: FakeIntunedApi, session: typeof ref): string {
  return `${api.url}/${session.workspaceId}/projects/${session.projectName}/auth-sessions/${session.authSessionId}`;
}

async function get(url: string, key: string | null = KEY) {
  const response = await request(url, { dispatcher, headers: key === null ? {} : { "x-api-key": key } });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

async function statusOf(api: FakeIntunedApi, session: typeof ref): Promise<string> {
  const { status, text } = await get(pathOf(api, session));
  return status === 200 ? (JSON.parse(text) as { status: string }).status : String(status);
}

describe("startFakeIntunedApi", () => {
  it("listens on 127.0.0.1 with the real API's path prefix and answers the spec's shape", async () => {
    const api = await start();
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/workspace$/);
    const { status, headers, text } = await get(pathOf(api, ref));
    expect(status).toBe(200);
    expect(headers["content-type"]).toBe("application/json");
    expect(JSON.parse(text)).toEqual({ id: "s-1", type: "CREDENTIALS", status: "READY" });
  });

  it("answers 401 to a missing or unknown key and 404 to an unknown session or path", async () => {
    const api = await start();
    expect((await get(pathOf(api, ref), null)).status).toBe(401);
    expect((await get(pathOf(api, ref), "sk-other")).status).toBe(401);
    expect((await get(pathOf(api, { ...ref, authSessionId: "nope" }))).status).toBe(404);
    expect((await get(`${api.url}/${WS}/projects/demo`)).status).toBe(404);
  });

  it("walks a timeline in real time", async () => {
    const api = await start({ sessions: [] });
    api.addSession({
      ...ref,
      timeline: [
        { status: "PENDING", forMs: 200 },
        { status: "READY", forMs: 200 },
        { status: "NOT_FOUND", forMs: 200 },
        { status: "EXPIRED" },
      ],
    });
    const started = Date.now();
    const at = async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, started + ms - Date.now()));
      return statusOf(api, ref);
    };
    // Samples mid-step, 100 ms from either edge, so a loaded machine does not make this flaky.
    expect(await at(100)).toBe("PENDING");
    expect(await at(300)).toBe("READY");
    expect(await at(500)).toBe("404");
    expect(await at(700)).toBe("EXPIRED");
  });

  it("loops the demo's script with an injected clock", async () => {
    let now = 0;
    const api = await start({
      now: () => now,
      sessions: [
        {
          ...ref,
          loop: true,
          timeline: [
            { status: "PENDING", forMs: 10 },
            { status: "READY", forMs: 10 },
            { status: "EXPIRED", forMs: 10 },
          ],
        },
      ],
    });
    const seen: string[] = [];
    for (now = 5; now < 60; now += 10) seen.push(await statusOf(api, ref));
    expect(seen).toEqual(["PENDING", "READY", "EXPIRED", "PENDING", "READY", "EXPIRED"]);
    now = 3_000_012; // 100,000 cycles of 30 ms later, 12 ms in
    expect(api.statusOf(ref)).toBe("READY");
  });

  it("sets a status directly and starts a session's timeline at an offset", async () => {
    const now = 1000;
    const api = await start({ now: () => now });
    api.setStatus(ref, "EXPIRED");
    expect(await statusOf(api, ref)).toBe("EXPIRED");
    api.setTimeline(ref, [{ status: "PENDING", forMs: 100 }, { status: "READY" }], { offsetMs: 100 });
    expect(await statusOf(api, ref)).toBe("READY");
    api.removeSession(ref);
    expect(await statusOf(api, ref)).toBe("404");
  });

  it("switches a key's validity at runtime to simulate rotation", async () => {
    const api = await start();
    api.setKeyValid(NEW_KEY, true);
    api.setKeyValid(KEY, false);
    expect((await get(pathOf(api, ref), KEY)).status).toBe(401);
    expect((await get(pathOf(api, ref), NEW_KEY)).status).toBe(200);
  });

  it("applies a fault only as many times as its count", async () => {
    const api = await start();
    const fault = api.injectFault({ kind: "status", status: 503, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(pathOf(api, ref))).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(fault.hits).toBe(2);
  });

  it("applies a fault only inside its time window", async () => {
    let now = 0;
    const api = await start({ now: () => now });
    api.injectFault({ kind: "status", status: 500, afterMs: 100, forMs: 50 });
    const at = async (t: number) => {
      now = t;
      return (await get(pathOf(api, ref))).status;
    };
    expect([await at(99), await at(100), await at(149), await at(150)]).toEqual([200, 500, 500, 200]);
  });

  it("applies a per-session fault to that session alone, and removes it on request", async () => {
    const api = await start();
    const fault = api.injectFault({ kind: "status", status: 500, session: other });
    expect((await get(pathOf(api, ref))).status).toBe(200);
    expect((await get(pathOf(api, other))).status).toBe(500);
    fault.remove();
    expect((await get(pathOf(api, other))).status).toBe(200);
  });

  it("sends Retry-After with a 429 fault", async () => {
    const api = await start();
    api.injectFault({ kind: "status", status: 429, retryAfter: 3 });
    const { status, headers } = await get(pathOf(api, ref));
    expect(status).toBe(429);
    expect(headers["retry-after"]).toBe("3");
  });

  it("changes the body of a 200 as each body fault says", async () => {
    const api = await start();
    const body = async () => (await get(pathOf(api, ref))).text;
    api.injectFault({ kind: "malformedJson", count: 1 });
    expect(() => JSON.parse("x")).toThrow();
    await expect(body().then((text) => JSON.parse(text))).rejects.toThrow(SyntaxError);
    api.injectFault({ kind: "wrongShape", body: { nope: true }, count: 1 });
    expect(JSON.parse(await body())).toEqual({ nope: true });
    api.injectFault({ kind: "unknownStatus", count: 1 });
    expect(JSON.parse(await body())).toMatchObject({ id: "s-1", status: "SUSPENDED" });
    api.injectFault({ kind: "differentId", count: 1 });
    expect(JSON.parse(await body())).toMatchObject({ id: "s-1-other", status: "READY" });
    expect(JSON.parse(await body())).toEqual({ id: "s-1", type: "CREDENTIALS", status: "READY" });
  });

  it("does not spend a body fault on an answer that has no body to change", async () => {
    const api = await start();
    const fault = api.injectFault({ kind: "malformedJson", count: 1 });
    expect((await get(pathOf(api, ref), "wrong")).status).toBe(401);
    expect(fault.hits).toBe(0);
  });

  it("destroys the socket for a reset fault", async () => {
    const api = await start();
    api.injectFault({ kind: "reset", count: 1 });
    await expect(get(pathOf(api, ref))).rejects.toMatchObject({ code: "UND_ERR_SOCKET" });
    expect(api.requestLog().at(-1)?.status).toBe("reset");
  });

  it("delays the answer by a latency fault", async () => {
    const api = await start();
    api.injectFault({ kind: "latency", ms: 120, count: 1 });
    const started = Date.now();
    expect((await get(pathOf(api, ref))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("logs path, key validity and status, never the key, within the cap", async () => {
    const api = await start({ requestLogLimit: 3 });
    await get(pathOf(api, ref), null);
    await get(pathOf(api, ref), "sk-test-SECRET-WRONG");
    for (let i = 0; i < 3; i++) await get(pathOf(api, other));
    await get(pathOf(api, ref));
    const log = api.requestLog();
    expect(log).toHaveLength(3);
    expect(log.map((e) => [e.ref?.authSessionId, e.keyValid, e.status])).toEqual([
      ["s-2", true, 200],
      ["s-2", true, 200],
      ["s-1", true, 200],
    ]);
    expect(JSON.stringify({ log, stats: api.stats() })).not.toContain("SECRET");
    expect(api.stats()).toEqual({ requests: 6, byStatus: { "200": 4, "401": 2 } });
    expect(api.requestsFor(ref)).toMatchObject({ count: 3 });
  });

  it("keeps no log when the limit is 0 but still counts", async () => {
    const api = await start({ requestLogLimit: 0 });
    await get(pathOf(api, ref));
    expect(api.requestLog()).toEqual([]);
    expect(api.requestsFor(ref).count).toBe(1);
    expect(api.requestsFor(ref).lastAt).toBeTypeOf("number");
  });

  it("resolves waitForRequest with the next matching request once answered", async () => {
    const api = await start({ requestLogLimit: 0 });
    const next = api.waitForRequest((entry) => entry.ref?.authSessionId === "s-2");
    await get(pathOf(api, ref));
    await get(pathOf(api, other));
    await expect(next).resolves.toMatchObject({ ref: other, status: 200, keyValid: true });
    await expect(api.waitForRequest(() => true, 30)).rejects.toThrow("no matching request within 30ms");
  });

  it("serves its counters as JSON for a benchmark in another process", async () => {
    const api = await start();
    await get(pathOf(api, ref));
    const { text } = await get(`${new URL(api.url).origin}/_fake/stats`, null);
    expect(JSON.parse(text)).toEqual({ requests: 1, byStatus: { "200": 1 } });
  });

  it("closes promptly even with idle keep-alive connections and a request in flight", async () => {
    const api = await startFakeIntunedApi({ apiKeys: [KEY], sessions: [ref] });
    await get(pathOf(api, ref));
    api.injectFault({ kind: "latency", ms: 10_000 });
    const inFlight = get(pathOf(api, ref)).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = Date.now();
    await api.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await inFlight).toBeInstanceOf(Error);
  });
});

describe("parseSessionPath", () => {
  it("decodes each segment of a session path", () => {
    expect(parseSessionPath(`/api/v1/workspace/${WS}/projects/a%20b/auth-sessions/x(1)%2C_y`)).toEqual({
      workspaceId: WS,
      projectName: "a b",
      authSessionId: "x(1),_y",
    });
  });

  it.each([
    "/api/v1/workspace",
    `/api/v1/workspace/${WS}/projects/p/auth-sessions`,
    `/api/v1/workspace/${WS}/projects/p/auth-sessions/id/extra`,
    `/api/v1/workspace/${WS}/jobs/p/auth-sessions/id`,
    `/api/v1/workspace/${WS}/projects//auth-sessions/id`,
    `/api/v1/workspace/${WS}/projects/%E0%A4%A/auth-sessions/id`,
    `/other/${WS}/projects/p/auth-sessions/id`,
  ])("returns null for %s", (path) => {
    expect(parseSessionPath(path)).toBeNull();
  });
});
