import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { AuthwatchEvent } from "../../src/events.js";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeSession } from "../../src/fake-api/types.js";
import { openStore } from "../../src/store/store.js";
import { startDaemonHarness } from "../helpers/daemon-harness.js";
import { eventOf, startWatchProcess } from "../helpers/watch-process.js";
import { type Receiver, startReceiver } from "../sinks/receiver.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-delivery-3131";
const SECRET = `whsec_${Buffer.from("a-32-byte-secret-for-the-tests!!").toString("base64")}`;
const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "proj", authSessionId });

/** Conditions on a loaded machine: generous, since they end as soon as they hold. */
const WAIT = { timeout: 20_000, interval: 50 };

/** Polled every 100 ms, delivered to the receiver's /hook (signed) and to `extraSinks`. */
function deliveryWatchlist(receiver: Receiver, extraSinks: unknown[] = []) {
  return {
    defaults: { interval: "100ms", jitter: 0 },
    sinks: [
      {
        name: "hook",
        type: "webhook",
        url: `${receiver.origin}/hook`,
        secretEnv: "HOOK_SECRET",
        timeout: "10s",
      },
      ...extraSinks,
    ],
  };
}

function writeWatchlist(
  dir: string,
  sessions: FakeSession[],
  receiver: Receiver,
  extraSinks: unknown[] = [],
) {
  const path = join(dir, "watchlist.json");
  writeFileSync(
    path,
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      sessions: sessions.map((s) => ({ project: s.projectName, id: s.authSessionId })),
      state: "./state.db",
      ...deliveryWatchlist(receiver, extraSinks),
    }),
  );
  return path;
}

function startInProcess(sessions: FakeSession[], receiver: Receiver, extraSinks: unknown[] = []) {
  return startDaemonHarness({
    sessions,
    watchlist: deliveryWatchlist(receiver, extraSinks),
    env: { HOOK_SECRET: SECRET },
  });
}

/** Accepted deliveries, first copy of each webhook-id, in arrival order. */
function accepted(receiver: Receiver, acceptedIds: string[]): AuthwatchEvent[] {
  return acceptedIds.map((id) => {
    const request = receiver.requests.find((r) => r.headers["webhook-id"] === id);
    return JSON.parse(request!.body) as AuthwatchEvent;
  });
}

describe("delivery through the outbox", () => {
  it("a receiver that is down for a while and then up gets every event, in order", async () => {
    let down = true;
    const acceptedIds: string[] = [];
    const receiver = await startReceiver((request, response) => {
      if (down) return void response.writeHead(503).end();
      const id = String(request.headers["webhook-id"]);
      if (!acceptedIds.includes(id)) acceptedIds.push(id);
      response.writeHead(204).end();
    });
    onTestFinished(() => receiver.close());
    // Each status held long enough for a 100 ms poll to see it even on a loaded machine.
    const timeline = [
      { status: "PENDING", forMs: 1_500 },
      { status: "READY", forMs: 1_500 },
      { status: "EXPIRED", forMs: 1_500 },
      { status: "READY" },
    ];
    const { events } = await startInProcess([{ ...ref("down-1"), timeline }], receiver);
    await expect.poll(() => events.length, WAIT).toBe(4);
    expect(acceptedIds).toHaveLength(0);
    down = false;
    // The persisted schedule retries about 5 s after the quick retries gave up.
    await expect.poll(() => acceptedIds.length, WAIT).toBe(4);
    expect(accepted(receiver, acceptedIds).map((e) => e.data.eventId)).toEqual(
      events.map((e) => e.data.eventId),
    );
    expect(accepted(receiver, acceptedIds).map((e) => ("to" in e.data ? e.data.to : e.type))).toEqual([
      "PENDING",
      "READY",
      "EXPIRED",
      "READY",
    ]);
  }, 40_000);

  it("a slow receiver delays neither the console sink nor the polling", async () => {
    const receiver = await startReceiver((_request, response) => {
      setTimeout(() => response.writeHead(204).end(), 4_000);
    });
    onTestFinished(() => receiver.close());
    const timeline = [{ status: "PENDING", forMs: 300 }, { status: "READY" }];
    const { api, events, log } = await startInProcess([{ ...ref("slow-1"), timeline }], receiver, [
      { name: "console", type: "console" },
    ]);
    // Both transitions happen and are logged by the console sink while the first webhook hangs.
    await expect
      .poll(() => events.map((e) => e.type), WAIT)
      .toEqual(["authsession.pending", "authsession.ready"]);
    await expect.poll(() => log.lines().filter((line) => line.sink === "console"), WAIT).toHaveLength(2);
    const consoleLines = log.lines().filter((line) => line.sink === "console");
    for (const line of consoleLines) {
      const event = line.event as AuthwatchEvent;
      expect(Number(line.time) - Date.parse(event.timestamp)).toBeLessThan(200);
    }
    // Polling goes on at its 100 ms pace while the webhook still hangs.
    await expect.poll(() => api.requestsFor(ref("slow-1")).count, WAIT).toBeGreaterThan(8);
    expect(receiver.requests).toHaveLength(1);
  });

  it("a 410 disables the sink and dead-letters nothing else into it", async () => {
    const receiver = await startReceiver((_request, response) => response.writeHead(410).end());
    onTestFinished(() => receiver.close());
    const timeline = [
      { status: "PENDING", forMs: 1_000 },
      { status: "READY", forMs: 1_000 },
      { status: "EXPIRED" },
    ];
    const { events, log, history } = await startInProcess([{ ...ref("gone-1"), timeline }], receiver);
    await expect.poll(() => events.length, WAIT).toBe(3);
    expect(receiver.requests).toHaveLength(1);
    expect(log.lines().filter((line) => String(line.msg).includes("disabled"))).toHaveLength(1);
    const statuses = history().flatMap((entry) => entry.deliveries.map((d) => d.status));
    expect(statuses[0]).toBe("disabled");
    // Later events are not even queued for the disabled sink.
    expect(statuses).toHaveLength(1);
  });
});

describe("delivery across a crash", () => {
  it("after SIGKILL in the middle of deliveries, every stored event reaches the receiver at least once", async () => {
    const receivedIds = new Set<string>();
    const receiver = await startReceiver((request, response) => {
      // Slow enough that deliveries are in flight when the daemon is killed.
      setTimeout(() => {
        receivedIds.add(String(request.headers["webhook-id"]));
        response.writeHead(204).end();
      }, 150);
    });
    onTestFinished(() => receiver.close());
    const ids = ["crash-1", "crash-2", "crash-3", "crash-4"];
    const sessions: FakeSession[] = ids.map((id, i) => ({
      ...ref(id),
      loop: true,
      offsetMs: i * 70,
      timeline: [
        { status: "PENDING", forMs: 250 },
        { status: "READY", forMs: 250 },
        { status: "EXPIRED", forMs: 250 },
      ],
    }));
    const api = await startFakeIntunedApi({ apiKeys: [KEY], sessions });
    onTestFinished(() => api.close());
    const dir = mkdtempSync(join(tmpdir(), "authwatch-crash-"));
    const path = writeWatchlist(dir, sessions, receiver, [{ name: "log", type: "console" }]);
    const env = { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY, HOOK_SECRET: SECRET };

    const first = startWatchProcess(["-c", path], env, dir);
    // Wait for a burst of events, then kill while the slow receiver still holds some.
    await expect.poll(() => first.lines().filter((l) => eventOf(l)).length, WAIT).toBeGreaterThanOrEqual(12);
    first.child.kill("SIGKILL");
    await first.exited;
    const seenBeforeRestart = receivedIds.size;

    // Freeze the world so the second run adds few events, then let it drain the outbox.
    for (const id of ids) api.setStatus(ref(id), "READY");
    const second = startWatchProcess(["-c", path], env, dir);
    await second.waitForLine((line) => line.msg === "authwatch is watching");
    // Read beside the running daemon, as `history` does.
    const store = () => openStore(join(dir, "state.db"), { readOnly: true });
    const pending = () => {
      const probe = store();
      try {
        return Object.values(probe.outboxDepth()).reduce((a, b) => a + b, 0);
      } finally {
        probe.close();
      }
    };
    await expect.poll(pending, { ...WAIT, interval: 250 }).toBe(0);
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    const check = store();
    const history = check.history();
    check.close();
    expect(history.length).toBeGreaterThanOrEqual(12);
    const missing = history.filter((entry) => !receivedIds.has(entry.eventId)).map((entry) => entry.eventId);
    expect(missing).toEqual([]);
    expect(history.every((entry) => entry.deliveries.every((d) => d.status === "delivered"))).toBe(true);
    // The kill really did interrupt deliveries: some events reached the receiver only after the restart.
    expect(seenBeforeRestart).toBeLessThan(history.length);
  }, 30_000);
});
