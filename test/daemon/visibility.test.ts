import { describe, expect, it, onTestFinished } from "vitest";
import { startDaemonHarness, TEST_KEY, TEST_WORKSPACE } from "../helpers/daemon-harness.js";
import { parsePrometheusText } from "../helpers/prometheus.js";
import { startReceiver } from "../sinks/receiver.js";

/** Conditions on a loaded machine: generous, since they end as soon as they hold. */
const WAIT = { timeout: 20_000, interval: 50 };
const ref = (authSessionId: string) => ({ workspaceId: TEST_WORKSPACE, projectName: "proj", authSessionId });
const KEY_SOURCE = "env INTUNED_API_KEY";

async function getJson(base: string, path: string) {
  const response = await fetch(`${base}${path}`);
  const body = await response.text();
  // Whatever is shown, the key itself never is.
  expect(body).not.toContain(TEST_KEY);
  return { status: response.status, body: JSON.parse(body) };
}

async function metric(base: string, name: string, labels: Record<string, string>) {
  const samples = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
  return samples.find(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
}

const heldOf = async (base: string, id: string) =>
  (await getJson(base, "/sessions")).body.sessions.find(
    (session: { authSessionId: string }) => session.authSessionId === id,
  )?.held;

describe("what an operator sees while the API holds a key back or a receiver disabled a sink", () => {
  it("shows a key paused by Retry-After in /healthz (still 200), in a metric and on each of its sessions", async () => {
    const { api, daemon } = await startDaemonHarness({
      sessions: [ref("first"), ref("second")],
      listen: true,
    });
    const base = String(daemon.statusUrl);
    await expect.poll(() => heldOf(base, "second"), WAIT).toBeNull();
    expect(await metric(base, "authwatch_api_key_paused", { key_source: KEY_SOURCE })).toBe(0);

    const askedAt = Date.now();
    api.injectFault({ kind: "status", status: 429, retryAfter: 1_000_000_000, count: 1 });
    await expect.poll(async () => (await getJson(base, "/healthz")).body.pausedKeys, WAIT).toBeDefined();
    const health = await getJson(base, "/healthz");
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    expect(health.body.pausedKeys).toHaveLength(1);
    const [pause] = health.body.pausedKeys;
    expect(pause).toMatchObject({ keySource: KEY_SOURCE, reason: "RATE_LIMITED" });
    // The absurd Retry-After is shown as the capped pause it became: about a minute, not decades.
    expect(Date.parse(pause.until) - askedAt).toBeLessThanOrEqual(62_000);
    expect(Date.parse(pause.until)).toBeGreaterThan(Date.now());

    expect(await metric(base, "authwatch_api_key_paused", { key_source: KEY_SOURCE })).toBe(1);
    // Both sessions wait on the key, the one that was not answered 429 too.
    expect(await heldOf(base, "first")).toBe("RATE_LIMITED");
    expect(await heldOf(base, "second")).toBe("RATE_LIMITED");
  });

  it("marks each session of a refused key UNAUTHORIZED in /sessions and shows the pause in /healthz", async () => {
    const { api, daemon, events } = await startDaemonHarness({ sessions: [ref("only")], listen: true });
    const base = String(daemon.statusUrl);
    await expect.poll(() => events.map((e) => e.type), WAIT).toContain("authsession.ready");
    expect(await heldOf(base, "only")).toBeNull();

    api.setKeyValid(TEST_KEY, false);
    await expect.poll(() => heldOf(base, "only"), WAIT).toBe("UNAUTHORIZED");
    const health = await getJson(base, "/healthz");
    expect(health.status).toBe(200);
    expect(health.body.pausedKeys).toEqual([
      expect.objectContaining({ keySource: KEY_SOURCE, reason: "UNAUTHORIZED" }),
    ]);
    expect(await metric(base, "authwatch_api_key_paused", { key_source: KEY_SOURCE })).toBe(1);
  });

  it("names a sink disabled by a 410 in /healthz, in a metric and in the history", async () => {
    const receiver = await startReceiver((_request, response) => response.writeHead(410).end());
    onTestFinished(() => receiver.close());
    const { daemon, history } = await startDaemonHarness({
      sessions: [ref("gone")],
      listen: true,
      env: { HOOK_SECRET: "whsec_dmlzaWJpbGl0eS10ZXN0LXNlY3JldA==" },
      watchlist: {
        sinks: [{ name: "hook", type: "webhook", url: `${receiver.origin}/hook`, secretEnv: "HOOK_SECRET" }],
      },
    });
    const base = String(daemon.statusUrl);
    await expect
      .poll(async () => (await getJson(base, "/healthz")).body.disabledSinks, WAIT)
      .toEqual(["hook"]);
    expect((await getJson(base, "/healthz")).status).toBe(200);
    expect(await metric(base, "authwatch_sink_disabled", { sink: "hook" })).toBe(1);
    expect(history().flatMap((entry) => entry.deliveries.map((d) => d.status))).toContain("disabled");
  });
});

describe("sessions held back by a key that stays rate limited", () => {
  it("each reach authsession.poll_failing after failureThreshold rounds of 429, the unanswered ones too", async () => {
    const { api, events } = await startDaemonHarness({
      sessions: [ref("first"), ref("second"), ref("third")],
    });
    await expect.poll(() => events.filter((e) => e.type === "authsession.ready").length, WAIT).toBe(3);
    const startedAt = Date.now();
    api.injectFault({ kind: "status", status: 429, retryAfter: 1 });
    const failing = () =>
      events
        .filter((e) => e.type === "authsession.poll_failing")
        .map((e) => ("authSessionId" in e.data ? e.data.authSessionId : ""))
        .sort();
    await expect.poll(failing, WAIT).toEqual(["first", "second", "third"]);
    // failureThreshold 3 with a 1 s Retry-After: three pauses, not an unbounded wait.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });
});
