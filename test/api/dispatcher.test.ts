import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntunedClient } from "../../src/api/client.js";
import { createApiDispatcher, getDefaultDispatcher } from "../../src/api/dispatcher.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";

const KEY = "sk-test-SECRET-1234";
const ref = {
  workspaceId: "123e4567-e89b-12d3-a456-426614174000",
  projectName: "p",
  authSessionId: "s-1",
};

let api: FakeIntunedApi;

beforeAll(async () => {
  api = await startFakeIntunedApi({ apiKeys: [KEY], sessions: [ref] });
});
afterAll(async () => {
  await api.close();
});

describe("createApiDispatcher", () => {
  it("caps the connections to one origin and reuses them", async () => {
    let sockets = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const server = createServer((_req, res) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.end(JSON.stringify({ id: "s-1", type: "CREDENTIALS", status: "READY" }));
      }, 30);
    });
    server.on("connection", () => {
      sockets += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const dispatcher = createApiDispatcher({ connections: 2 });
    try {
      const { port } = server.address() as AddressInfo;
      const client = createIntunedClient({
        baseUrl: `http://127.0.0.1:${port}/api/v1/workspace`,
        apiKey: { source: "test", value: KEY },
        timeoutMs: 2000,
        dispatcher,
      });
      await Promise.all(Array.from({ length: 8 }, () => client.getAuthSession(ref)));
      expect(mostInFlight).toBe(2);
      expect(sockets).toBe(2);
    } finally {
      await dispatcher.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("times out requests that set no timeout of their own at its timeout, not undici's 300 s", async () => {
    const dispatcher = createApiDispatcher({ timeoutMs: 80 });
    api.injectFault({ kind: "latency", ms: 2000, count: 1 });
    try {
      const started = Date.now();
      const url = `${api.url}/${ref.workspaceId}/projects/p/auth-sessions/s-1`;
      await expect(request(url, { dispatcher, headers: { "x-api-key": KEY } })).rejects.toMatchObject({
        code: "UND_ERR_HEADERS_TIMEOUT",
      });
      // undici checks these timeouts on a ~0.5 s tick, hence the slack; the point is "not 300 s".
      expect(Date.now() - started).toBeLessThan(1900);
    } finally {
      await dispatcher.close();
    }
  });
});

describe("getDefaultDispatcher", () => {
  it("returns one shared pool, which clients without a dispatcher use", async () => {
    expect(getDefaultDispatcher()).toBe(getDefaultDispatcher());
    const client = createIntunedClient({
      baseUrl: api.url,
      apiKey: { source: "test", value: KEY },
      timeoutMs: 1000,
    });
    await expect(client.getAuthSession(ref)).resolves.toMatchObject({ status: "READY" });
  });
});
