import type { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createIntunedClient } from "../../src/api/client.js";
import { createApiDispatcher } from "../../src/api/dispatcher.js";
import { ServerError, UnauthorizedError } from "../../src/api/errors.js";
import { pollSession } from "../../src/api/poll.js";
import type { IntunedClient } from "../../src/api/types.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";

const KEY = "sk-test-SECRET-1234";
const ref = {
  workspaceId: "123e4567-e89b-12d3-a456-426614174000",
  projectName: "my-project",
  authSessionId: "auth-session-123",
};

let api: FakeIntunedApi;
let dispatcher: Agent;
let client: IntunedClient;

beforeAll(async () => {
  api = await startFakeIntunedApi({ apiKeys: [KEY], sessions: [{ ...ref, type: "RUNTIME" }] });
  dispatcher = createApiDispatcher();
  client = createIntunedClient({
    baseUrl: api.url,
    apiKey: { source: "env INTUNED_API_KEY", value: KEY },
    timeoutMs: 1000,
    dispatcher,
  });
});

afterEach(() => {
  api.clearFaults();
  api.setStatus(ref, "READY", "RUNTIME");
});

afterAll(async () => {
  await dispatcher.close();
  await api.close();
});

describe("pollSession", () => {
  it("turns a 200 into an observation with the answered id", async () => {
    await expect(pollSession(client, ref, { now: () => 1234 })).resolves.toEqual({
      observation: { status: "READY", sessionType: "RUNTIME", observedAt: 1234 },
      answeredId: "auth-session-123",
    });
  });

  it("turns a 404 into a successful NOT_FOUND observation without a type", async () => {
    const missing = { ...ref, authSessionId: "gone-session" };
    await expect(pollSession(client, missing, { now: () => 99 })).resolves.toEqual({
      observation: { status: "NOT_FOUND", sessionType: null, observedAt: 99 },
      answeredId: null,
    });
  });

  it("passes an unknown status through as it is", async () => {
    api.setStatus(ref, "ARCHIVED");
    const result = await pollSession(client, ref, { now: Date.now });
    expect(result.observation.status).toBe("ARCHIVED");
  });

  it("stamps observedAt when the response arrived, not when the poll started", async () => {
    api.injectFault({ kind: "latency", ms: 120, count: 1 });
    const started = Date.now();
    const result = await pollSession(client, ref, { now: Date.now });
    expect(result.observation.observedAt).toBeGreaterThanOrEqual(started + 110);
  });

  it("rethrows every failure other than a 404", async () => {
    api.injectFault({ kind: "status", status: 503, count: 1 });
    await expect(pollSession(client, ref, { now: Date.now })).rejects.toBeInstanceOf(ServerError);
    api.injectFault({ kind: "status", status: 401, count: 1 });
    await expect(pollSession(client, ref, { now: Date.now })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("passes the caller's signal to the request", async () => {
    api.injectFault({ kind: "latency", ms: 2000, count: 1 });
    const controller = new AbortController();
    const pending = pollSession(client, ref, { now: Date.now, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 30);
    await expect(pending).rejects.toThrow("stop");
  });
});
