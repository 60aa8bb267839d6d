import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadWatchlist } from "../../src/config/load.js";
import { type Daemon, startDaemon } from "../../src/daemon/daemon.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeSession } from "../../src/fake-api/types.js";
import { openStore } from "../../src/store/store.js";
import { captureLog } from "../helpers/log-capture.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-daemon-4242";
const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "proj", authSessionId });

interface Running {
  api: FakeIntunedApi;
  daemon: Daemon;
  events: AuthwatchEvent[];
  log: ReturnType<typeof captureLog>;
  dir: string;
  statePath: string;
}

const running: Running[] = [];
afterEach(async () => {
  for (const { api, daemon } of running.splice(0)) {
    await daemon.stop(2_000);
    await api.close();
  }
});

async function start(
  sessions: FakeSession[],
  watchlist: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<Running> {
  const api = await startFakeIntunedApi({ apiKeys: [KEY], sessions });
  const dir = mkdtempSync(join(tmpdir(), "authwatch-daemon-"));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "150ms", jitter: 0, failureThreshold: 3 },
      sessions: sessions.map((s) => ({ project: s.projectName, id: s.authSessionId })),
      ...watchlist,
    }),
  );
  const config = loadWatchlist(
    join(dir, "watchlist.json"),
    { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
    {
      requireSecrets: true,
    },
  );
  const log = captureLog();
  const daemon = await startDaemon({
    config,
    logger: log.logger,
    env: { PATH: process.env.PATH ?? "", INTUNED_API_KEY: KEY, ...env },
  });
  const events: AuthwatchEvent[] = [];
  daemon.bus.on("event", (event) => events.push(event));
  const entry = { api, daemon, events, log, dir, statePath: config.statePath };
  running.push(entry);
  return entry;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const summary = (events: AuthwatchEvent[]) =>
  events.map((e) => ("to" in e.data ? `${e.data.authSessionId}:${e.data.from}->${e.data.to}` : e.type));

describe("the daemon against the fake API in real time", () => {
  it("emits exactly the scripted transitions, in order, and nothing for 5xx and 429 windows", async () => {
    const { api, events, statePath } = await start([
      {
        ...ref("alpha"),
        timeline: [
          { status: "PENDING", forMs: 700 },
          { status: "READY", forMs: 1_200 },
          { status: "EXPIRED", forMs: 900 },
          { status: "READY" },
        ],
      },
      { ...ref("beta"), timeline: [{ status: "READY" }] },
    ]);
    // Faults while alpha is READY: two failures each, below the threshold of 3.
    api.injectFault({ kind: "status", status: 503, session: ref("alpha"), afterMs: 900, count: 2 });
    api.injectFault({
      kind: "status",
      status: 429,
      retryAfter: 1,
      session: ref("beta"),
      afterMs: 300,
      count: 1,
    });
    await sleep(3_600);

    expect(summary(events.filter((e) => "to" in e.data && e.data.authSessionId === "alpha"))).toEqual([
      "alpha:null->PENDING",
      "alpha:PENDING->READY",
      "alpha:READY->EXPIRED",
      "alpha:EXPIRED->READY",
    ]);
    expect(summary(events.filter((e) => "to" in e.data && e.data.authSessionId === "beta"))).toEqual([
      "beta:null->READY",
    ]);
    expect(events.filter((e) => !("to" in e.data))).toEqual([]);
    // Each event was persisted before it was published.
    const store = openStore(statePath, { readOnly: true });
    const stored = store.history().map((entry) => entry.eventId);
    store.close();
    expect(stored).toEqual(events.map((e) => e.data.eventId));
  });

  it("emits poll_failing after the threshold and poll_recovered when polls succeed again, without changing state", async () => {
    const { api, events } = await start([{ ...ref("gamma"), timeline: [{ status: "READY" }] }]);
    await sleep(400);
    const fault = api.injectFault({ kind: "status", status: 500, session: ref("gamma") });
    // Backoff starts at 1 s: 3 failures take about 1 + 2 s after the first.
    await sleep(3_800);
    fault.remove();
    await sleep(4_500);
    expect(events.map((e) => e.type)).toEqual([
      "authsession.ready",
      "authsession.poll_failing",
      "authsession.poll_recovered",
    ]);
    const failing = events[1]!;
    expect(failing.data).toMatchObject({
      authSessionId: "gamma",
      failures: 3,
      error: { code: "SERVER_ERROR" },
    });
  }, 15_000);

  it("emits watcher.unauthorized once per key, not per session, and never logs the key", async () => {
    const { api, events, log } = await start([
      { ...ref("one"), timeline: [{ status: "READY" }] },
      { ...ref("two"), timeline: [{ status: "READY" }] },
    ]);
    api.setKeyValid(KEY, false);
    await sleep(1_500);
    const unauthorized = events.filter((e) => e.type === "watcher.unauthorized");
    expect(unauthorized).toHaveLength(1);
    expect(unauthorized[0]!.data).toMatchObject({ workspaceId: WORKSPACE, error: { code: "UNAUTHORIZED" } });
    expect(log.text()).not.toContain(KEY);
  });

  it("runs a command sink with the event on stdin and AUTHWATCH_* variables, but never the API key", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "authwatch-cmd-")), "out.jsonl");
    const script = `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>require("fs").appendFileSync(${JSON.stringify(out)},JSON.stringify({stdin:JSON.parse(s),env:process.env})+"\\n"))`;
    const { events } = await start([{ ...ref("cmd-1"), timeline: [{ status: "EXPIRED" }] }], {
      sinks: [
        {
          name: "reauth",
          type: "command",
          command: [process.execPath, "-e", script],
          events: ["authsession.expired"],
        },
      ],
    });
    await sleep(1_500);
    const { readFileSync } = await import("node:fs");
    const runs = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(runs).toHaveLength(1);
    expect(runs[0].stdin).toEqual(events[0]);
    expect(runs[0].env).toMatchObject({
      AUTHWATCH_EVENT_TYPE: "authsession.expired",
      AUTHWATCH_SESSION_ID: "cmd-1",
      AUTHWATCH_TO: "EXPIRED",
    });
    expect(JSON.stringify(runs[0].env)).not.toContain(KEY);
  });

  it("recovers at once when a refused key is rotated and the watchlist reloaded, without a restart", async () => {
    const { api, daemon, dir } = await start([{ ...ref("rot-1"), timeline: [{ status: "READY" }] }]);
    await sleep(1_200);
    api.setKeyValid(KEY, false);
    await sleep(1_000);
    const rotated = "sk-test-ROTATED-5151";
    api.setKeyValid(rotated, true);
    const reloadedAt = Date.now();
    daemon.reload(
      loadWatchlist(
        join(dir, "watchlist.json"),
        { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: rotated },
        {
          requireSecrets: true,
        },
      ),
    );
    await sleep(1_500);
    // The refused key's 60 s pause was lifted: polls with the new key were accepted right away.
    const accepted = api.requestLog().filter((entry) => entry.at >= reloadedAt && entry.keyValid);
    expect(accepted.length).toBeGreaterThan(0);
  });

  it("closes a poll_failing sent before a restart with poll_recovered after it, and never repeats it", async () => {
    const first = await start([{ ...ref("restart-fail"), timeline: [{ status: "READY" }] }]);
    await sleep(300);
    const fault = first.api.injectFault({ kind: "status", status: 502, session: ref("restart-fail") });
    for (
      let waited = 0;
      !first.events.some((e) => e.type === "authsession.poll_failing") && waited < 6_000;
      waited += 100
    ) {
      await sleep(100);
    }
    await first.daemon.stop(2_000);
    running.splice(running.indexOf(first), 1);
    fault.remove();

    const config = loadWatchlist(
      join(first.dir, "watchlist.json"),
      { INTUNED_API_BASE_URL: first.api.url, INTUNED_API_KEY: KEY },
      {
        requireSecrets: true,
      },
    );
    const daemon = await startDaemon({ config, logger: captureLog().logger, env: {} });
    const events: AuthwatchEvent[] = [];
    daemon.bus.on("event", (event) => events.push(event));
    running.push({ ...first, daemon, events });
    await sleep(1_500);
    expect(events.map((e) => e.type)).toEqual(["authsession.poll_recovered"]);
    expect(events[0]!.data).toMatchObject({ failures: 3, error: { code: "SERVER_ERROR" } });
  }, 15_000);
});
