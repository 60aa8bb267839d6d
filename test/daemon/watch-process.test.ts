import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import { parsePrometheusText } from "../helpers/prometheus.js";
import { catchesSignal, eventOf, startWatchProcess, type WatchProcess } from "../helpers/watch-process.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-watch-7777";
const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "proj", authSessionId });
/** Conditions on a loaded machine: generous, since they end as soon as they hold. */
const WAIT = { timeout: 15_000, interval: 50 };

let api: FakeIntunedApi;
beforeAll(async () => {
  api = await startFakeIntunedApi({ apiKeys: [KEY] });
});
afterAll(async () => {
  await api.close();
});

function writeWatchlist(dir: string, ids: string[]): void {
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "200ms", jitter: 0 },
      sessions: ids.map((id) => ({ project: "proj", id })),
      sinks: [{ name: "log", type: "console" }],
    }),
  );
}

function watch(dir: string, extra: string[] = [], env: Record<string, string> = {}): WatchProcess {
  return startWatchProcess(
    ["-c", join(dir, "watchlist.json"), ...extra],
    { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY, ...env },
    dir,
  );
}

const isEvent = (type: string, id: string) => (line: Record<string, unknown>) =>
  eventOf(line)?.type === type && eventOf(line)?.data.authSessionId === id;

async function stop(process: WatchProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  process.child.kill("SIGTERM");
  const { code } = await process.exited;
  return { code, ms: Date.now() - started };
}

describe("authwatch watch as a process", () => {
  it("after SIGKILL and a change while down, the restart emits exactly the one new event and no repeats", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-kill-"));
    api.setStatus(ref("k-1"), "READY");
    api.setStatus(ref("k-2"), "PENDING");
    writeWatchlist(dir, ["k-1", "k-2"]);

    const first = watch(dir);
    await first.waitForLine(isEvent("authsession.ready", "k-1"));
    await first.waitForLine(isEvent("authsession.pending", "k-2"));
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");

    api.setStatus(ref("k-1"), "EXPIRED");
    const second = watch(dir);
    const expired = await second.waitForLine(isEvent("authsession.expired", "k-1"));
    expect(eventOf(expired)?.data).toMatchObject({ from: "READY", to: "EXPIRED" });
    // Several more polls of both sessions: nothing else may appear.
    for (const id of ["k-1", "k-2"]) {
      const polled = api.requestsFor(ref(id)).count;
      await expect.poll(() => api.requestsFor(ref(id)).count, WAIT).toBeGreaterThan(polled + 4);
    }
    expect(
      second
        .lines()
        .filter((line) => eventOf(line))
        .map((line) => eventOf(line)?.type),
    ).toEqual(["authsession.expired"]);
    expect((await stop(second)).code).toBe(0);
  });

  it("SIGHUP applies a valid new watchlist and rejects an invalid one, keeping the old in force", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-hup-"));
    api.setStatus(ref("h-1"), "READY");
    api.setStatus(ref("h-2"), "PENDING");
    writeWatchlist(dir, ["h-1"]);
    const daemon = watch(dir);
    await daemon.waitForLine(isEvent("authsession.ready", "h-1"));

    writeWatchlist(dir, ["h-1", "h-2"]);
    daemon.child.kill("SIGHUP");
    await daemon.waitForLine(isEvent("authsession.pending", "h-2"));

    writeFileSync(join(dir, "watchlist.json"), '{"sessions": [{"project": "proj", "id": "x"}]}');
    daemon.child.kill("SIGHUP");
    const rejected = await daemon.waitForLine((line) => String(line.msg).includes("rejected"));
    expect(String(rejected.error)).toContain("sessions[0].id");
    const before = api.requestsFor(ref("h-2")).count;
    await expect.poll(() => api.requestsFor(ref("h-2")).count, WAIT).toBeGreaterThan(before + 2);
    expect(daemon.child.exitCode).toBeNull();

    const { code, ms } = await stop(daemon);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(3_000);
  });

  it("serves /healthz, /sessions and Prometheus /metrics, and exits 0 promptly on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-listen-"));
    api.setStatus(ref("m-1"), "READY");
    writeWatchlist(dir, ["m-1"]);
    const daemon = watch(dir, ["--listen", "127.0.0.1:0"]);
    const ready = await daemon.waitForLine((line) => line.msg === "authwatch is watching");
    const base = String(ready.listen);
    await daemon.waitForLine(isEvent("authsession.ready", "m-1"));

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const sessions = (await (await fetch(`${base}/sessions`)).json()) as {
      sessions: Record<string, unknown>[];
    };
    expect(sessions.sessions[0]).toMatchObject({
      projectName: "proj",
      authSessionId: "m-1",
      status: "READY",
    });

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    const samples = parsePrometheusText(await metrics.text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value("authwatch_polls_total", { result: "ok" })).toBeGreaterThan(0);
    expect(value("authwatch_session_status", { session: "m-1", status: "READY" })).toBe(1);
    expect(value("authwatch_transitions_total", { to: "READY" })).toBe(1);
    expect(value("authwatch_poll_duration_seconds_count")).toBeGreaterThan(0);
    expect(value("authwatch_build_info", { version: "0.1.0" })).toBe(1);
    const since = value("authwatch_session_status_since_seconds", { session: "m-1", status: "READY" });
    expect(since).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(since).toBeLessThanOrEqual(Date.now() / 1000);
    expect(value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(value("nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);

    const { code, ms } = await stop(daemon);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(3_000);
  });

  it("refuses to start on an invalid watchlist with exit 2 and one clear message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-bad-"));
    writeFileSync(join(dir, "watchlist.json"), '{"sessions": [{"project": "p/q", "id": "ok-id"}]}');
    const daemon = watch(dir);
    const { code } = await daemon.exited;
    expect(code).toBe(2);
    expect(daemon.stderr()).toMatch(/^authwatch: .*sessions\[0\]\.project/);
    expect(daemon.stderr()).not.toMatch(/\n\s+at /);
  });
});

describe("authwatch watch at the edges of its life", () => {
  it("survives a SIGHUP that arrives during start-up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-early-hup-"));
    api.setStatus(ref("e-1"), "READY");
    writeWatchlist(dir, ["e-1"]);
    const daemon = watch(dir);
    // As early as it can be caught: the moment the process has a handler for it, before any output.
    await expect.poll(() => catchesSignal(daemon.child.pid!, "SIGHUP"), WAIT).toBe(true);
    daemon.child.kill("SIGHUP");
    await daemon.waitForLine(isEvent("authsession.ready", "e-1"));
    expect(daemon.child.exitCode).toBeNull();
    expect((await stop(daemon)).code).toBe(0);
  });

  it("exits 1 with one clear line when the --listen port is taken, and creates no state file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-busy-port-"));
    writeWatchlist(dir, ["p-1"]);
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const daemon = watch(dir, ["--listen", `127.0.0.1:${port}`]);
    const { code } = await daemon.exited;
    // 1, not 2: a service manager retries a busy port, while RestartPreventExitStatus=2 would give up.
    expect(code).toBe(1);
    expect(daemon.stderr()).toBe(
      `authwatch: --listen 127.0.0.1:${port}: the address is already in use; choose another port or stop what listens there\n`,
    );
    expect(existsSync(join(dir, ".authwatch"))).toBe(false);
  });
});

describe("authwatch watch --listen beyond loopback", () => {
  it("takes its address from AUTHWATCH_LISTEN when --listen is not given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-listen-env-"));
    writeWatchlist(dir, ["l-1"]);
    const daemon = watch(dir, [], { AUTHWATCH_LISTEN: "127.0.0.1:0" });
    onTestFinished(() => stop(daemon).then(() => undefined));
    const ready = await daemon.waitForLine((line) => line.msg === "authwatch is watching");
    expect(String(ready.listen)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${String(ready.listen)}/healthz`)).status).toBe(200);
  });

  it("refuses to listen on every interface without a token (exit 2) and creates no state file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-no-token-"));
    writeWatchlist(dir, ["t-1"]);
    const daemon = watch(dir, ["--listen", "0.0.0.0:0"]);
    const { code } = await daemon.exited;
    expect(code).toBe(2);
    expect(daemon.stderr()).toMatch(
      /^authwatch: --listen 0\.0\.0\.0:0 is reachable from other machines and AUTHWATCH_HTTP_TOKEN is not set — /,
    );
    expect(daemon.stderr().split("\n")).toHaveLength(2);
    expect(existsSync(join(dir, ".authwatch"))).toBe(false);
  });

  it("on every interface, demands the token on every endpoint but /healthz and logs failed logins without the password", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-token-"));
    writeWatchlist(dir, ["t-2"]);
    const token = "tok-3f9c1e7a-SECRET";
    const daemon = watch(dir, ["--listen", "0.0.0.0:0"], { AUTHWATCH_HTTP_TOKEN: token });
    onTestFinished(() => stop(daemon).then(() => undefined));
    const ready = await daemon.waitForLine((line) => line.msg === "authwatch is watching");
    const port = new URL(String(ready.listen)).port;
    const base = `http://127.0.0.1:${port}`;
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    for (const path of ["/", "/sessions", "/metrics", "/events", "/timeline", "/sinks"]) {
      const refused = await fetch(`${base}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get("www-authenticate")).toContain("Basic");
    }
    const bearer = await fetch(`${base}/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(200);
    const viaBasic = await fetch(`${base}/metrics`, { headers: { authorization: basic("anyone", token) } });
    expect(viaBasic.status).toBe(200);

    const wrong = await fetch(`${base}/sessions`, {
      headers: { authorization: basic("alice", "hunter2-guess") },
    });
    expect(wrong.status).toBe(401);
    const logged = await daemon.waitForLine((line) => line.msg === "HTTP login failed: wrong credentials");
    expect(logged).toMatchObject({ path: "/sessions", failures: 1 });
    const everything = JSON.stringify(daemon.lines()) + daemon.stderr();
    expect(everything).not.toContain("hunter2");
    expect(everything).not.toContain("alice");
    expect(everything).not.toContain(token);
  });

  it("rate-limits failed logins per client address", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-limit-"));
    writeWatchlist(dir, ["t-3"]);
    const token = "tok-ratelimit-SECRET";
    const daemon = watch(dir, ["--listen", "0.0.0.0:0"], { AUTHWATCH_HTTP_TOKEN: token });
    onTestFinished(() => stop(daemon).then(() => undefined));
    const ready = await daemon.waitForLine((line) => line.msg === "authwatch is watching");
    const base = `http://127.0.0.1:${new URL(String(ready.listen)).port}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${base}/sessions`, { headers: { authorization: `Bearer guess-${i}` } });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Even the right token waits out the window: a guesser cannot tell when it finally hit.
    const right = await fetch(`${base}/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe("authwatch watch reloads on a change of the watchlist file", () => {
  it("applies an edited file without a signal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-edit-"));
    api.setStatus(ref("f-1"), "READY");
    api.setStatus(ref("f-2"), "EXPIRED");
    writeWatchlist(dir, ["f-1"]);
    const daemon = watch(dir);
    await daemon.waitForLine(isEvent("authsession.ready", "f-1"));
    writeWatchlist(dir, ["f-1", "f-2"]);
    await daemon.waitForLine(isEvent("authsession.expired", "f-2"));
    expect((await stop(daemon)).code).toBe(0);
  });

  it("applies a file swapped in through a symlink, as Kubernetes ConfigMaps do", async () => {
    const { mkdirSync, renameSync, symlinkSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "authwatch-configmap-"));
    api.setStatus(ref("c-1"), "READY");
    api.setStatus(ref("c-2"), "PENDING");
    // ConfigMap layout: watchlist.json -> ..data/watchlist.json, ..data -> ..v1 (swapped atomically).
    const version = (name: string, ids: string[]) => {
      mkdirSync(join(dir, name));
      writeWatchlist(join(dir, name), ids);
    };
    version("..v1", ["c-1"]);
    symlinkSync("..v1", join(dir, "..data"));
    symlinkSync(join("..data", "watchlist.json"), join(dir, "watchlist.json"));
    const daemon = watch(dir);
    await daemon.waitForLine(isEvent("authsession.ready", "c-1"));
    version("..v2", ["c-1", "c-2"]);
    symlinkSync("..v2", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    await daemon.waitForLine(isEvent("authsession.pending", "c-2"));
    expect((await stop(daemon)).code).toBe(0);
  });
});

describe("authwatch watch stopping", () => {
  it("finishes within --shutdown-timeout when a delivery hangs, and a second signal exits at once", async () => {
    const { createServer } = await import("node:http");
    // A receiver that never answers: the delivery stays in flight.
    let hangingRequests = 0;
    const hanging = createServer(() => {
      hangingRequests++;
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const port = (hanging.address() as { port: number }).port;
    try {
      const dir = mkdtempSync(join(tmpdir(), "authwatch-stop-"));
      api.setStatus(ref("s-1"), "READY");
      writeFileSync(
        join(dir, "watchlist.json"),
        JSON.stringify({
          api: { workspaceId: WORKSPACE, timeout: "1s" },
          defaults: { interval: "200ms", jitter: 0 },
          sessions: [{ project: "proj", id: "s-1" }],
          sinks: [
            { name: "log", type: "console" },
            { name: "hook", type: "webhook", url: `http://127.0.0.1:${port}/hook`, timeout: "30s" },
          ],
        }),
      );

      const graceful = watch(dir, ["--shutdown-timeout", "2s"]);
      await graceful.waitForLine(isEvent("authsession.ready", "s-1"));
      const { code, ms } = await stop(graceful);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(3_500);

      const impatient = watch(dir, ["--shutdown-timeout", "20s"]);
      const sentBefore = hangingRequests;
      await impatient.waitForLine((line) => line.msg === "authwatch is watching");
      // The pending delivery is in flight again, hanging.
      await expect.poll(() => hangingRequests, WAIT).toBeGreaterThan(sentBefore);
      const started = Date.now();
      impatient.child.kill("SIGTERM");
      await impatient.waitForLine((line) => line.msg === "stopping");
      impatient.child.kill("SIGTERM");
      const exit = await impatient.exited;
      expect(exit.code).toBe(143);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});
