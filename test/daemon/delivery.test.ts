import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadWatchlist } from "../../src/config/load.js";
import { type Daemon, startDaemon } from "../../src/daemon/daemon.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeSession } from "../../src/fake-api/types.js";
import { openStore } from "../../src/store/store.js";
import { captureLog } from "../helpers/log-capture.js";
import { eventOf, startWatchProcess } from "../helpers/watch-process.js";
import { type Receiver, startReceiver } from "../sinks/receiver.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-delivery-3131";
const SECRET = `whsec_${Buffer.from("a-32-byte-secret-for-the-tests!!").toString("base64")}`;
const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "proj", authSessionId });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function writeWatchlist(
  dir: string,
  sessions: FakeSession[],
  receiver: Receiver,
  extraSinks: unknown[] = [],
): string {
  const path = join(dir, "watchlist.json");
  writeFileSync(
    path,
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "100ms", jitter: 0 },
      sessions: sessions.map((s) => ({ project: s.projectName, id: s.authSessionId })),
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
    }),
  );
  return path;
}

async function startInProcess(sessions: FakeSession[], receiver: Receiver, extraSinks: unknown[] = []) {
  const api = await startFakeIntunedApi({ apiKeys: [KEY], sessions });
  const dir = mkdtempSync(join(tmpdir(), "authwatch-delivery-"));
  const path = writeWatchlist(dir, sessions, receiver, extraSinks);
  const env = { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY, HOOK_SECRET: SECRET };
  const config = loadWatchlist(path, env, { requireSecrets: true });
  const log = captureLog();
  const daemon: Daemon = await startDaemon({ config, logger: log.logger, env });
  const events: AuthwatchEvent[] = [];
  daemon.bus.on("event", (event) => events.push(event));
  cleanups.push(async () => {
    await daemon.stop(2_000);
    await api.close();
  });
  return { api, daemon, events, log, statePath: config.statePath };
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
    cleanups.push(() => receiver.close());
    const timeline = [
      { status: "PENDING", forMs: 400 },
      { status: "READY", forMs: 400 },
      { status: "EXPIRED", forMs: 400 },
      { status: "READY" },
    ];
    const { events } = await startInProcess([{ ...ref("down-1"), timeline }], receiver);
    await sleep(2_500);
    expect(events).toHaveLength(4);
    expect(acceptedIds).toHaveLength(0);
    down = false;
    // The persisted schedule retries about 5 s after the quick retries gave up.
    for (let waited = 0; acceptedIds.length < 4 && waited < 12_000; waited += 200) await sleep(200);
    expect(accepted(receiver, acceptedIds).map((e) => e.data.eventId)).toEqual(
      events.map((e) => e.data.eventId),
    );
    expect(accepted(receiver, acceptedIds).map((e) => ("to" in e.data ? e.data.to : e.type))).toEqual([
      "PENDING",
      "READY",
      "EXPIRED",
      "READY",
    ]);
  }, 20_000);

  it("a slow receiver delays neither the console sink nor the polling", async () => {
    const receiver = await startReceiver((_request, response) => {
      setTimeout(() => response.writeHead(204).end(), 4_000);
    });
    cleanups.push(() => receiver.close());
    const timeline = [{ status: "PENDING", forMs: 300 }, { status: "READY" }];
    const { api, events, log } = await startInProcess([{ ...ref("slow-1"), timeline }], receiver, [
      { name: "console", type: "console" },
    ]);
    await sleep(1_500);
    // Both transitions happened and were logged by the console sink while the first webhook hangs.
    expect(events.map((e) => e.type)).toEqual(["authsession.pending", "authsession.ready"]);
    const consoleLines = log.lines().filter((line) => line.sink === "console");
    expect(consoleLines).toHaveLength(2);
    for (const line of consoleLines) {
      const event = line.event as AuthwatchEvent;
      expect(Number(line.time) - Date.parse(event.timestamp)).toBeLessThan(200);
    }
    expect(receiver.requests).toHaveLength(1);
    // Polling went on at its 100 ms pace.
    expect(api.requestsFor(ref("slow-1")).count).toBeGreaterThan(8);
  });

  it("a 410 disables the sink and dead-letters nothing else into it", async () => {
    const receiver = await startReceiver((_request, response) => response.writeHead(410).end());
    cleanups.push(() => receiver.close());
    const timeline = [
      { status: "PENDING", forMs: 300 },
      { status: "READY", forMs: 300 },
      { status: "EXPIRED" },
    ];
    const { statePath, log } = await startInProcess([{ ...ref("gone-1"), timeline }], receiver);
    await sleep(1_800);
    expect(receiver.requests).toHaveLength(1);
    expect(log.lines().filter((line) => String(line.msg).includes("disabled"))).toHaveLength(1);
    const store = openStore(statePath, { readOnly: true });
    const statuses = store.history().flatMap((entry) => entry.deliveries.map((d) => d.status));
    store.close();
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
    cleanups.push(() => receiver.close());
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
    cleanups.push(() => api.close());
    const dir = mkdtempSync(join(tmpdir(), "authwatch-crash-"));
    const path = writeWatchlist(dir, sessions, receiver, [{ name: "log", type: "console" }]);
    writeFileSync(
      path,
      JSON.stringify({
        ...JSON.parse(String(await import("node:fs").then((fs) => fs.readFileSync(path)))),
        state: "./state.db",
      }),
    );
    const env = { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY, HOOK_SECRET: SECRET };

    const first = startWatchProcess(["-c", path], env, dir);
    // Wait for a burst of events, then kill while the slow receiver still holds some.
    for (let waited = 0; first.lines().filter((l) => eventOf(l)).length < 12 && waited < 8_000; waited += 50)
      await sleep(50);
    first.child.kill("SIGKILL");
    await first.exited;
    const seenBeforeRestart = receivedIds.size;

    // Freeze the world so the second run adds few events, then let it drain the outbox.
    for (const id of ids) api.setStatus(ref(id), "READY");
    const second = startWatchProcess(["-c", path], env, dir);
    await second.waitForLine((line) => line.msg === "authwatch is watching");
    const store = () => openStore(join(dir, "state.db"));
    for (let waited = 0; waited < 10_000; waited += 250) {
      await sleep(250);
      const probe = store();
      const pending = Object.values(probe.outboxDepth()).reduce((a, b) => a + b, 0);
      probe.close();
      if (pending === 0) break;
    }
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
