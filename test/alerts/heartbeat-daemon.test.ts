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
});
