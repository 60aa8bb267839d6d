import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuthwatchEvent } from "../../src/events.js";
import { describeEvents, startDaemonHarness, TEST_KEY, TEST_WORKSPACE } from "../helpers/daemon-harness.js";

const ref = (authSessionId: string) => ({ workspaceId: TEST_WORKSPACE, projectName: "proj", authSessionId });
const typesOf = (events: readonly AuthwatchEvent[]) => events.map((event) => event.type);
/** Conditions on a loaded machine: generous, since they end as soon as they hold. */
const WAIT = { timeout: 15_000, interval: 50 };

describe("the daemon against the fake API in real time", () => {
  it("emits exactly the scripted transitions, in order, and nothing for 5xx and 429 windows", async () => {
    const { api, events, history } = await startDaemonHarness({
      sessions: [
        {
          ...ref("alpha"),
          timeline: [
            // Each status lasts long enough to be seen even when a loaded machine starts the daemon
            // or delays its polls by a second or two.
            { status: "PENDING", forMs: 2_500 },
            { status: "READY", forMs: 2_500 },
            { status: "EXPIRED", forMs: 2_500 },
            { status: "READY" },
          ],
        },
        { ...ref("beta"), timeline: [{ status: "READY" }] },
      ],
    });
    // Faults while alpha is READY: two failures each, below the threshold of 3.
    api.injectFault({ kind: "status", status: 503, session: ref("alpha"), afterMs: 3_000, count: 2 });
    api.injectFault({
      kind: "status",
      status: 429,
      retryAfter: 1,
      session: ref("beta"),
      afterMs: 300,
      count: 1,
    });
    const ofAlpha = () => events.filter((e) => "to" in e.data && e.data.authSessionId === "alpha");
    await expect
      .poll(() => describeEvents(ofAlpha()), WAIT)
      .toEqual([
        "alpha:null->PENDING",
        "alpha:PENDING->READY",
        "alpha:READY->EXPIRED",
        "alpha:EXPIRED->READY",
      ]);
    // The faults were served, and changed nothing.
    expect(api.stats().byStatus).toMatchObject({ "503": 2, "429": 1 });
    expect(describeEvents(events.filter((e) => "to" in e.data && e.data.authSessionId === "beta"))).toEqual([
      "beta:null->READY",
    ]);
    expect(events.filter((e) => !("to" in e.data))).toEqual([]);
    // Each event was stored before it was published.
    expect(history().map((entry) => entry.eventId)).toEqual(events.map((e) => e.data.eventId));
  });

  it("emits poll_failing after the threshold and poll_recovered when polls succeed again, without changing state", async () => {
    const { api, events } = await startDaemonHarness({
      sessions: [{ ...ref("gamma"), timeline: [{ status: "READY" }] }],
    });
    await expect.poll(() => typesOf(events), WAIT).toEqual(["authsession.ready"]);
    const fault = api.injectFault({ kind: "status", status: 500, session: ref("gamma") });
    // Backoff starts at 1 s: 3 failures take about 1 + 2 s after the first.
    await expect.poll(() => typesOf(events), WAIT).toContain("authsession.poll_failing");
    fault.remove();
    await expect
      .poll(() => typesOf(events), WAIT)
      .toEqual(["authsession.ready", "authsession.poll_failing", "authsession.poll_recovered"]);
    expect(events[1]!.data).toMatchObject({
      authSessionId: "gamma",
      failures: 3,
      error: { code: "SERVER_ERROR" },
    });
  }, 30_000);

  it("emits watcher.unauthorized once per key, not per session, and never logs the key", async () => {
    const { api, daemon, events, log, stop, history } = await startDaemonHarness({
      sessions: [
        { ...ref("one"), timeline: [{ status: "READY" }] },
        { ...ref("two"), timeline: [{ status: "READY" }] },
      ],
    });
    await expect.poll(() => events.length, WAIT).toBe(2);
    api.setKeyValid(TEST_KEY, false);
    // Held 400 ms, the next poll of each session is in flight at once: both are refused.
    api.injectFault({ kind: "latency", ms: 400, count: 2 });
    const refusedPolls = async () => {
      const metric = await daemon.metrics.registry.getSingleMetric("authwatch_polls_total")?.get();
      return metric?.values.find((value) => value.labels.result === "unauthorized")?.value ?? 0;
    };
    await expect.poll(refusedPolls, WAIT).toBe(2);
    // Stopping commits whatever the two refusals queued.
    await stop();
    expect(history().filter((entry) => entry.type === "watcher.unauthorized")).toHaveLength(1);
    const unauthorized = events.filter((e) => e.type === "watcher.unauthorized");
    expect(unauthorized).toHaveLength(1);
    expect(unauthorized[0]!.data).toMatchObject({
      workspaceId: TEST_WORKSPACE,
      error: { code: "UNAUTHORIZED" },
    });
    expect(log.text()).not.toContain(TEST_KEY);
  });

  it("runs a command sink with the event on stdin and AUTHWATCH_* variables, but never the API key", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "authwatch-cmd-")), "out.jsonl");
    const script = `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>require("fs").appendFileSync(${JSON.stringify(out)},JSON.stringify({stdin:JSON.parse(s),env:process.env})+"\\n"))`;
    const { events } = await startDaemonHarness({
      sessions: [{ ...ref("cmd-1"), timeline: [{ status: "EXPIRED" }] }],
      watchlist: {
        sinks: [
          {
            name: "reauth",
            type: "command",
            command: [process.execPath, "-e", script],
            events: ["authsession.expired"],
          },
        ],
      },
    });
    await expect.poll(() => existsSync(out), WAIT).toBe(true);
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
    expect(JSON.stringify(runs[0].env)).not.toContain(TEST_KEY);
  });

  it("recovers at once when a refused key is rotated and the watchlist reloaded, without a restart", async () => {
    const { api, daemon, events, loadConfig } = await startDaemonHarness({
      sessions: [{ ...ref("rot-1"), timeline: [{ status: "READY" }] }],
    });
    await expect.poll(() => typesOf(events), WAIT).toEqual(["authsession.ready"]);
    api.setKeyValid(TEST_KEY, false);
    await expect.poll(() => typesOf(events), WAIT).toContain("watcher.unauthorized");
    const rotated = "sk-test-ROTATED-5151";
    api.setKeyValid(rotated, true);
    const reloadedAt = Date.now();
    daemon.reload(loadConfig({ INTUNED_API_KEY: rotated }));
    // The refused key's 60 s pause was lifted: a poll with the new key is accepted right away.
    await api.waitForRequest((entry) => entry.at >= reloadedAt && entry.keyValid, 5_000);
  });

  it("closes a poll_failing sent before a restart with poll_recovered after it, and never repeats it", async () => {
    const first = await startDaemonHarness({
      sessions: [{ ...ref("restart-fail"), timeline: [{ status: "READY" }] }],
    });
    await expect.poll(() => typesOf(first.events), WAIT).toEqual(["authsession.ready"]);
    const fault = first.api.injectFault({ kind: "status", status: 502, session: ref("restart-fail") });
    await expect.poll(() => typesOf(first.events), WAIT).toContain("authsession.poll_failing");
    await first.stop();
    fault.remove();

    const second = await startDaemonHarness({ sessions: [], api: first.api, dir: first.dir });
    await expect.poll(() => typesOf(second.events), WAIT).toEqual(["authsession.poll_recovered"]);
    expect(second.events[0]!.data).toMatchObject({ failures: 3, error: { code: "SERVER_ERROR" } });
  }, 30_000);
});
