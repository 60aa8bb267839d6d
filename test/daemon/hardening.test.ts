import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadWatchlist } from "../../src/config/load.js";
import { type Daemon, startDaemon } from "../../src/daemon/daemon.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeSession } from "../../src/fake-api/types.js";
import type { StateStore } from "../../src/store/state-store.js";
import { openStore } from "../../src/store/store.js";
import { writeFailure } from "../../src/store/store-error.js";
import type { SqliteStore } from "../../src/store/types.js";
import { captureLog } from "../helpers/log-capture.js";
import { type Receiver, startReceiver } from "../sinks/receiver.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-harden-5151";
const ref = (authSessionId: string, projectName = "proj") => ({
  workspaceId: WORKSPACE,
  projectName,
  authSessionId,
});

interface Running {
  api: FakeIntunedApi;
  daemon: Daemon;
  events: AuthwatchEvent[];
  log: ReturnType<typeof captureLog>;
  dir: string;
}

/** A daemon on a real state file, polling the fake API over loopback; stopped when the test ends. */
async function start(
  sessions: FakeSession[],
  watchlist: Record<string, unknown> = {},
  listen = false,
  wrapStore: (store: SqliteStore) => StateStore = (store) => store,
): Promise<Running> {
  const api = await startFakeIntunedApi({ apiKeys: [KEY], sessions });
  onTestFinished(() => api.close());
  const dir = mkdtempSync(join(tmpdir(), "authwatch-harden-"));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "150ms", jitter: 0, failureThreshold: 3 },
      sessions: sessions.map((s) => ({
        project: s.projectName,
        id: s.authSessionId,
        workspaceId: s.workspaceId,
      })),
      ...watchlist,
    }),
  );
  const config = loadWatchlist(
    join(dir, "watchlist.json"),
    { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
    { requireSecrets: true },
  );
  const log = captureLog();
  const daemon = await startDaemon({
    config,
    store: wrapStore(openStore(config.statePath, { singleInstance: true })),
    logger: log.logger,
    env: { PATH: process.env.PATH ?? "" },
    ...(listen ? { listen: { host: "127.0.0.1", port: 0 } } : {}),
  });
  onTestFinished(() => daemon.stop(2_000));
  const events: AuthwatchEvent[] = [];
  daemon.bus.on("event", (event) => events.push(event));
  return { api, daemon, events, log, dir };
}

describe("the daemon against answers an attacker or a broken API could give", () => {
  it("announces a 200 body claiming NOT_FOUND as an unknown status, and only a 404 as not_found", async () => {
    const { api, events } = await start([{ ...ref("claims-gone"), timeline: [{ status: "READY" }] }]);
    await expect.poll(() => events.map((e) => e.type)).toEqual(["authsession.ready"]);
    api.injectFault({ kind: "unknownStatus", status: "NOT_FOUND", session: ref("claims-gone") });
    await expect
      .poll(() => events.map((e) => e.type))
      .toEqual(["authsession.ready", "authsession.unknown_status"]);
    api.clearFaults();
    api.removeSession(ref("claims-gone"));
    await expect
      .poll(() => events.map((e) => e.type))
      .toEqual(["authsession.ready", "authsession.unknown_status", "authsession.not_found"]);
  });
});

describe("the outbox while the disk is full", () => {
  it("does not resend a delivered event every few seconds when its delivery cannot be recorded", async () => {
    const received: string[] = [];
    const receiver: Receiver = await startReceiver((request, response) => {
      received.push(String(request.headers["webhook-id"]));
      response.writeHead(204).end();
    });
    onTestFinished(() => receiver.close());
    let diskFull = true;
    let refusedWrites = 0;
    let opened: SqliteStore | undefined;
    const { events } = await start(
      [{ ...ref("disk-full"), timeline: [{ status: "READY" }] }],
      { sinks: [{ name: "hook", type: "webhook", url: `${receiver.origin}/hook` }] },
      false,
      (store) => {
        opened = store;
        const markDelivered = store.markDelivered.bind(store);
        store.markDelivered = (id, now, attempts) => {
          if (diskFull) {
            refusedWrites++;
            throw writeFailure(
              store.path,
              Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }),
            );
          }
          markDelivered(id, now, attempts);
        };
        return store;
      },
    );
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    // The outbox retries the refused write every 5 s: wait for two of those retries.
    await expect.poll(() => refusedWrites, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    expect(received).toEqual([events[0]?.data.eventId]);
    // Once the disk has room, the delivery is recorded and still sent only once.
    diskFull = false;
    await expect
      .poll(() => opened?.history().flatMap((entry) => entry.deliveries.map((d) => d.status)), {
        timeout: 10_000,
      })
      .toEqual(["delivered"]);
    expect(received).toHaveLength(1);
  }, 40_000);
});

describe("a 403 on one session", () => {
  it("does not hold back another session of the same key: its EXPIRED is seen within seconds", async () => {
    const typo = ref("typo-1", "no-access");
    const victim = ref("victim-1");
    const { api, events } = await start([
      { ...typo, timeline: [{ status: "READY" }] },
      { ...victim, timeline: [{ status: "READY" }] },
    ]);
    api.injectFault({ kind: "status", status: 403, session: typo });
    await expect
      .poll(() => events.map((e) => e.type), { timeout: 5_000 })
      .toEqual(expect.arrayContaining(["watcher.unauthorized", "authsession.ready"]));
    const refusedAt = Date.now();
    api.setStatus(victim, "EXPIRED");
    await expect
      .poll(() => events.some((e) => e.type === "authsession.expired"), { timeout: 10_000 })
      .toBe(true);
    // A key pause would hold it for a minute; polling at 150 ms it is seen at once.
    expect(Date.now() - refusedAt).toBeLessThan(5_000);
    expect(events.filter((e) => e.type === "watcher.unauthorized")).toHaveLength(1);
  }, 30_000);
});
