import { describe, expect, it, onTestFinished } from "vitest";
import { startDaemonHarness, TEST_KEY, TEST_WORKSPACE } from "../helpers/daemon-harness.js";
import { startReceiver } from "../sinks/receiver.js";

const TOKEN = "hb-daemon-token-8d1e";

describe("the daemon's heartbeat", () => {
  it("GETs the URL from the variable urlEnv names every `every`, and logs it only without its token", async () => {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.close());
    const { log } = await startDaemonHarness({
      sessions: [
        {
          workspaceId: TEST_WORKSPACE,
          projectName: "proj",
          authSessionId: "hb-1",
          timeline: [{ status: "READY" }],
        },
      ],
      watchlist: { heartbeat: { urlEnv: "AUTHWATCH_HEARTBEAT_URL", every: "300ms" } },
      env: { AUTHWATCH_HEARTBEAT_URL: `${receiver.origin}/ping/${TOKEN}` },
    });
    await expect.poll(() => receiver.requests.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(receiver.requests.every((r) => r.method === "GET" && r.url === `/ping/${TOKEN}`)).toBe(true);
    expect(log.text()).not.toContain(TOKEN);
    expect(log.text()).not.toContain(TEST_KEY);
  });

  it("stops while every project's list is failing, when the watchlist has only projects, and resumes after", async () => {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.close());
    const member = (authSessionId: string) => ({
      workspaceId: TEST_WORKSPACE,
      projectName: "proj",
      authSessionId,
      timeline: [{ status: "READY" }],
    });
    const { api, events } = await startDaemonHarness({
      sessions: [member("p-1"), member("p-2")],
      watchlist: {
        sessions: [],
        projects: [{ project: "proj" }],
        defaults: { interval: "100ms", jitter: 0, failureThreshold: 2 },
        heartbeat: { urlEnv: "AUTHWATCH_HEARTBEAT_URL", every: "200ms" },
      },
      env: { AUTHWATCH_HEARTBEAT_URL: `${receiver.origin}/ping/${TOKEN}` },
    });
    await expect.poll(() => receiver.requests.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

    api.injectFault({ kind: "status", status: 503 });
    await expect
      .poll(() => events.map((event) => event.type), { timeout: 10_000 })
      .toContain("project.poll_failing");
    // A beat already on its way may still land; none after it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileFailing = receiver.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.requests.length).toBe(whileFailing);

    api.clearFaults();
    await expect.poll(() => receiver.requests.length, { timeout: 10_000 }).toBeGreaterThan(whileFailing);
  });

  it("stops while the only API key is refused (no poll is made at all), and resumes once it is accepted", async () => {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.close());
    const { api, events } = await startDaemonHarness({
      sessions: [
        {
          workspaceId: TEST_WORKSPACE,
          projectName: "proj",
          authSessionId: "k-1",
          timeline: [{ status: "READY" }],
        },
      ],
      watchlist: { heartbeat: { urlEnv: "AUTHWATCH_HEARTBEAT_URL", every: "200ms" } },
      env: { AUTHWATCH_HEARTBEAT_URL: `${receiver.origin}/ping/${TOKEN}` },
    });
    await expect.poll(() => receiver.requests.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

    api.setKeyValid(TEST_KEY, false);
    await expect
      .poll(() => events.map((event) => event.type), { timeout: 10_000 })
      .toContain("watcher.unauthorized");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileRefused = receiver.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.requests.length).toBe(whileRefused);
  });
});
