import { describe, expect, it, onTestFinished } from "vitest";
import { startHeartbeat } from "../../src/alerts/heartbeat.js";
import { captureLog } from "../helpers/log-capture.js";
import { createManualClock } from "../helpers/manual-clock.js";
import { closedPort, startReceiver } from "../sinks/receiver.js";

const TOKEN = "hb-token-6f1d2c";

async function setup(options: { healthy?: () => { ok: boolean; reason?: string }; url?: string } = {}) {
  const receiver = await startReceiver();
  onTestFinished(() => receiver.close());
  const clock = createManualClock();
  const log = captureLog();
  const heartbeat = startHeartbeat(
    {
      url: {
        source: "env AUTHWATCH_HEARTBEAT_URL",
        value: options.url ?? `${receiver.origin}/ping/${TOKEN}`,
      },
      everyMs: 60_000,
    },
    { clock, logger: log.logger, healthy: options.healthy ?? (() => ({ ok: true })), timeoutMs: 2_000 },
  );
  onTestFinished(() => heartbeat.stop());
  return { receiver, clock, log, heartbeat };
}

describe("heartbeat", () => {
  it("GETs the URL at start and then every `every`", async () => {
    const { receiver, clock, heartbeat } = await setup();
    await clock.advance(0);
    await expect.poll(() => receiver.requests.length).toBe(1);
    expect(receiver.requests[0]).toMatchObject({ method: "GET", url: `/ping/${TOKEN}` });
    await expect.poll(() => heartbeat.last).toBe("sent");
    await clock.advance(59_000);
    expect(receiver.requests).toHaveLength(1);
    await clock.advance(1_000);
    await expect.poll(() => receiver.requests.length).toBe(2);
  });

  it("sends nothing while the daemon is unhealthy, and resumes when it recovers", async () => {
    let healthy = false;
    const { receiver, clock, heartbeat, log } = await setup({
      healthy: () => (healthy ? { ok: true } : { ok: false, reason: "store not writable" }),
    });
    await clock.advance(0);
    await expect.poll(() => heartbeat.last).toBe("skipped");
    await clock.advance(60_000);
    expect(receiver.requests).toHaveLength(0);
    expect(log.text()).toContain("heartbeat paused while the daemon is unhealthy");
    healthy = true;
    await clock.advance(60_000);
    await expect.poll(() => receiver.requests.length).toBe(1);
  });

  it("logs a failure with the URL redacted and keeps beating", async () => {
    const port = await closedPort();
    const { clock, heartbeat, log } = await setup({ url: `http://127.0.0.1:${port}/ping/${TOKEN}` });
    await clock.advance(0);
    await expect.poll(() => heartbeat.last).toBe("failed");
    const line = log.lines().find((l) => l.msg === "heartbeat failed; will try again");
    expect(line).toMatchObject({ url: `http://127.0.0.1:${port}/…` });
    expect(log.text()).not.toContain(TOKEN);
    await clock.advance(60_000);
    await expect
      .poll(() => log.lines().filter((l) => String(l.msg).startsWith("heartbeat failed")).length)
      .toBe(2);
  });
});
