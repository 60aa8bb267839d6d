import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import { runCliProcess } from "../helpers/run-cli-process.js";
import { startWatchProcess, type WatchProcess } from "../helpers/watch-process.js";
import { type Receiver, startReceiver } from "../sinks/receiver.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-alerts-5150";
const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "proj", authSessionId });

let api: FakeIntunedApi;
let receiver: Receiver;
beforeAll(async () => {
  api = await startFakeIntunedApi({ apiKeys: [KEY] });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await api.close();
});

interface Received {
  type: string;
  data: Record<string, unknown>;
  at: number;
}

/** The events the webhook receiver got for one session, with when they arrived. */
function receivedFor(id: string, since = 0): Received[] {
  return receiver.requests.flatMap((request, index) => {
    const body = JSON.parse(request.body) as { type: string; data: Record<string, unknown> };
    const at = arrivals[index] ?? 0;
    return body.data.authSessionId === id && at >= since ? [{ ...body, at }] : [];
  });
}
/** Arrival times, index-aligned with receiver.requests (the receiver itself records none). */
const arrivals: number[] = [];
const stamp = setInterval(() => {
  while (arrivals.length < receiver?.requests.length) arrivals.push(Date.now());
}, 5);
afterAll(() => clearInterval(stamp));

function setup(watchlist: Record<string, unknown>): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-alerts-process-"));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "200ms", jitter: 0 },
      sinks: [{ name: "hook", type: "webhook", url: `${receiver.origin}/hook` }],
      ...watchlist,
    }),
  );
  return { dir, env: { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY } };
}

function watch(dir: string, env: Record<string, string>): WatchProcess {
  const process = startWatchProcess(["-c", join(dir, "watchlist.json")], env, dir);
  onTestFinished(async () => {
    if (process.child.exitCode === null && process.child.signalCode === null) {
      process.child.kill("SIGTERM");
      await process.exited;
    }
  });
  return process;
}

async function stop(process: WatchProcess): Promise<void> {
  process.child.kill("SIGTERM");
  expect((await process.exited).code).toBe(0);
}

describe("alerts in a real daemon process", () => {
  it("sends a reminder that fell due while the daemon was down once at start, then keeps the repeat", async () => {
    api.setStatus(ref("stuck-1"), "PENDING");
    const { dir, env } = setup({
      sessions: [{ project: "proj", id: "stuck-1" }],
      alerts: [{ name: "stuck-pending", status: "PENDING", for: "1s", repeat: "2s" }],
    });
    const first = watch(dir, env);
    await expect
      .poll(() => receivedFor("stuck-1").filter((e) => e.type === "authsession.overdue").length, {
        timeout: 15_000,
      })
      .toBe(1);
    await stop(first);

    // Down for more than two repeats.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const restartedAt = Date.now();
    watch(dir, env);
    await expect
      .poll(() => receivedFor("stuck-1", restartedAt).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(1);
    const [missed] = receivedFor("stuck-1", restartedAt);
    expect(missed).toMatchObject({
      type: "authsession.overdue",
      data: { rule: "stuck-pending", reminder: 1 },
    });
    // One, not one per missed repeat: the next comes a full repeat later.
    await expect
      .poll(() => receivedFor("stuck-1", restartedAt).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    const [, next] = receivedFor("stuck-1", restartedAt);
    expect(next?.data.reminder).toBe(2);
    expect((next?.at ?? 0) - (missed?.at ?? 0)).toBeGreaterThanOrEqual(1_500);
  }, 90_000);

  it("a silence added from a second process suppresses delivery within 5 s, and the event is stored as silenced", async () => {
    api.setStatus(ref("quiet-1"), "READY");
    api.setStatus(ref("loud-1"), "READY");
    const { dir, env } = setup({
      sessions: [
        { project: "proj", id: "quiet-1" },
        { project: "proj", id: "loud-1" },
      ],
    });
    const daemon = watch(dir, env);
    await expect.poll(() => receivedFor("quiet-1").length, { timeout: 15_000 }).toBe(1);

    const added = await runCliProcess(
      [
        "silence",
        "add",
        "proj/quiet-1",
        "--for",
        "1h",
        "--reason",
        "key rotation",
        "-c",
        join(dir, "watchlist.json"),
      ],
      { env, cwd: dir },
    );
    expect(added.code).toBe(0);
    const id = added.stdout.trim();
    expect(id).toMatch(/^sil_[0-9a-f]{8}$/);
    const addedAt = Date.now();
    await daemon.waitForLine(
      (line) => line.silence === id && String(line.msg).startsWith("silence in force"),
      5_000,
    );
    expect(Date.now() - addedAt).toBeLessThan(5_000);

    api.setStatus(ref("quiet-1"), "EXPIRED");
    api.setStatus(ref("loud-1"), "EXPIRED");
    // The session that is not silenced is delivered; the silenced one is not, not even later.
    await expect.poll(() => receivedFor("loud-1").length, { timeout: 10_000 }).toBe(2);
    const removed = await runCliProcess(["silence", "remove", id, "-c", join(dir, "watchlist.json")], {
      env,
      cwd: dir,
    });
    expect(removed.code).toBe(0);
    // The silence is over: the next change is delivered. A session's deliveries keep their order, so
    // had the silenced EXPIRED been queued, it would have arrived before this READY.
    await daemon.waitForLine(
      (line) => line.silence === id && String(line.msg).startsWith("silence over"),
      5_000,
    );
    api.setStatus(ref("quiet-1"), "READY");
    await expect.poll(() => receivedFor("quiet-1").length, { timeout: 15_000 }).toBe(2);
    expect(receivedFor("quiet-1").map((e) => e.type)).toEqual(["authsession.ready", "authsession.ready"]);

    const history = await runCliProcess(
      [
        "history",
        "proj/quiet-1",
        "--json",
        "--type",
        "authsession.expired",
        "-c",
        join(dir, "watchlist.json"),
      ],
      { env, cwd: dir },
    );
    const { events } = JSON.parse(history.stdout) as {
      events: Array<{ type: string; silencedBy: string | null; deliveries: unknown[] }>;
    };
    expect(events).toEqual([
      expect.objectContaining({ type: "authsession.expired", silencedBy: id, deliveries: [] }),
    ]);
    await stop(daemon);
  }, 90_000);
});
