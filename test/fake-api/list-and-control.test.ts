import { Agent, request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeIntunedApi } from "../../src/fake-api/types.js";

const KEY = "sk-test-SECRET-1234";
const NEW_KEY = "sk-test-SECRET-ROTATED";
const WS = "123e4567-e89b-12d3-a456-426614174000";
const session = (authSessionId: string, projectName = "logins") => ({
  workspaceId: WS,
  projectName,
  authSessionId,
});

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

async function start() {
  const api = await startFakeIntunedApi({
    apiKeys: [KEY],
    sessions: [
      { ...session("user-1"), type: "CREDENTIALS" },
      { ...session("user-2"), type: "RECORDER", timeline: [{ status: "PENDING" }] },
      { ...session("other-1", "billing") },
    ],
  });
  opened.push(api);
  return api;
}

const listUrl = (api: FakeIntunedApi, project = "logins") =>
  `${api.url}/${WS}/projects/${project}/auth-sessions`;
const controlUrl = (api: FakeIntunedApi, route: string) => `${new URL(api.url).origin}/_control/${route}`;

async function get(url: string, key: string | null = KEY) {
  const response = await request(url, { dispatcher, headers: key === null ? {} : { "x-api-key": key } });
  return { status: response.statusCode, text: await response.body.text() };
}

async function control(
  api: FakeIntunedApi,
  method: "POST" | "GET" | "DELETE",
  route: string,
  body?: unknown,
) {
  const response = await request(controlUrl(api, route), {
    dispatcher,
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
}

async function listed(api: FakeIntunedApi, project = "logins") {
  const { status, text } = await get(listUrl(api, project));
  expect(status).toBe(200);
  return JSON.parse(text) as Array<{ id: string; type: string; status: string }>;
}

describe("the fake API's list endpoint", () => {
  it("lists every session of one project in the single GET's item shape", async () => {
    const api = await start();
    expect(await listed(api)).toEqual([
      { id: "user-1", type: "CREDENTIALS", status: "READY" },
      { id: "user-2", type: "RECORDER", status: "PENDING" },
    ]);
    expect(await listed(api, "billing")).toEqual([{ id: "other-1", type: "CREDENTIALS", status: "READY" }]);
  });

  it("checks the key as the single GET does and answers 404 for an unknown project", async () => {
    const api = await start();
    expect((await get(listUrl(api), null)).status).toBe(401);
    expect((await get(listUrl(api), "sk-wrong")).status).toBe(401);
    expect((await get(listUrl(api, "nope"))).status).toBe(404);
  });

  it("leaves out removed sessions and keeps an emptied project as an empty list", async () => {
    const api = await start();
    api.removeSession(session("user-1"));
    api.removeSession(session("user-2"));
    expect(await listed(api)).toEqual([]);
  });

  it("applies status, reset and body faults, and project-targeted faults only to that project", async () => {
    const api = await start();
    api.injectFault({ kind: "status", status: 503, project: { workspaceId: WS, projectName: "logins" } });
    expect((await get(listUrl(api))).status).toBe(503);
    expect((await get(listUrl(api, "billing"))).status).toBe(200);
    api.clearFaults();
    api.injectFault({ kind: "malformedJson", count: 1 });
    const malformed = await get(listUrl(api));
    expect(() => JSON.parse(malformed.text)).toThrow();
    api.injectFault({ kind: "wrongShape", count: 1 });
    expect(JSON.parse((await get(listUrl(api))).text)).not.toBeInstanceOf(Array);
    api.injectFault({ kind: "unknownStatus", status: "SUSPENDED", count: 1 });
    expect((await listed(api)).map((item) => item.status)).toEqual(["SUSPENDED", "SUSPENDED"]);
  });

  it("records list requests in the request log with their kind and project", async () => {
    const api = await start();
    await listed(api);
    await get(`${api.url}/${WS}/projects/logins/auth-sessions/user-1`);
    const kinds = api.requestLog().map((entry) => [entry.kind, entry.project?.projectName, entry.status]);
    expect(kinds).toEqual([
      ["list", "logins", 200],
      ["get", "logins", 200],
    ]);
  });
});

describe("the fake API's control endpoint", () => {
  it("sets a status, adds and removes sessions over HTTP", async () => {
    const api = await start();
    expect((await control(api, "POST", "status", { ...session("user-1"), status: "EXPIRED" })).status).toBe(
      200,
    );
    expect((await control(api, "POST", "sessions", { ...session("user-9"), type: "RUNTIME" })).status).toBe(
      200,
    );
    expect((await control(api, "POST", "remove", session("user-2"))).json).toEqual({ removed: true });
    expect(await listed(api)).toEqual([
      { id: "user-1", type: "CREDENTIALS", status: "EXPIRED" },
      { id: "user-9", type: "RUNTIME", status: "READY" },
    ]);
    const all = (await control(api, "GET", "sessions")).json.sessions as unknown[];
    expect(all).toHaveLength(3);
  });

  it("sets the status of every session of one project at once, and no other project's", async () => {
    const api = await start();
    const changed = await control(api, "POST", "status", {
      workspaceId: WS,
      projectName: "logins",
      status: "EXPIRED",
    });
    expect(changed).toEqual({ status: 200, json: { status: "EXPIRED", sessions: 2 } });
    expect((await listed(api)).map((item) => item.status)).toEqual(["EXPIRED", "EXPIRED"]);
    expect((await listed(api, "billing")).map((item) => item.status)).toEqual(["READY"]);
    const typo = await control(api, "POST", "status", {
      workspaceId: WS,
      projectName: "lgins",
      status: "EXPIRED",
    });
    expect(typo.status).toBe(404);
    expect(String(typo.json.error)).toContain("no session in project lgins");
    const bad = await control(api, "POST", "status", { workspaceId: WS, projectName: "logins" });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toContain("status");
  });

  it("refuses and rotates keys", async () => {
    const api = await start();
    await control(api, "POST", "keys", { refuse: [KEY], accept: [NEW_KEY] });
    expect((await get(listUrl(api), KEY)).status).toBe(401);
    expect((await get(listUrl(api), NEW_KEY)).status).toBe(200);
  });

  it("injects faults with an id, removes one, and clears them all", async () => {
    const api = await start();
    const { json } = await control(api, "POST", "faults", { kind: "status", status: 429, retryAfter: 2 });
    expect((await get(listUrl(api))).status).toBe(429);
    const removed = await control(api, "DELETE", `faults/${json.id}`);
    expect(removed.json).toEqual({ removed: true, hits: 1 });
    expect((await get(listUrl(api))).status).toBe(200);
    await control(api, "POST", "faults", { kind: "reset" });
    await control(api, "DELETE", "faults");
    expect((await get(listUrl(api))).status).toBe(200);
  });

  it("answers 400 naming the field for a bad body and 404 for an unknown route", async () => {
    const api = await start();
    const bad = await control(api, "POST", "status", { ...session("user-1") });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("status");
    expect((await control(api, "POST", "faults", { kind: "bogus" })).status).toBe(400);
    expect((await control(api, "POST", "nothing-here", {})).status).toBe(404);
  });

  it("serves the request log so a test in another process can count list requests", async () => {
    const api = await start();
    await listed(api);
    const { json } = await control(api, "GET", "requests");
    expect(json.requests).toEqual([expect.objectContaining({ kind: "list", status: 200, keyValid: true })]);
  });
});
