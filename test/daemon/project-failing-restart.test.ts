import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { eventOf, startWatchProcess, type WatchProcess } from "../helpers/watch-process.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-projfail-4242";
/** Conditions on a loaded machine: generous, since they end as soon as they hold. */
const WAIT = { timeout: 15_000, interval: 50 };

/** A fake API with a project of one READY session, a watchlist that lists it every 150 ms, its state folder. */
async function setUp(projectName: string) {
  const api = await startFakeIntunedApi({ apiKeys: [KEY] });
  onTestFinished(() => api.close());
  const project = { workspaceId: WORKSPACE, projectName };
  api.setStatus({ ...project, authSessionId: "user-1" }, "READY");
  const dir = mkdtempSync(join(tmpdir(), "authwatch-projfail-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "150ms", jitter: 0, failureThreshold: 2 },
      projects: [{ project: projectName }],
      sinks: [{ name: "log", type: "console" }],
    }),
  );
  const lists = () =>
    api.requestLog().filter((entry) => entry.kind === "list" && entry.project?.projectName === projectName)
      .length;
  const watch = (): WatchProcess => {
    const process = startWatchProcess(
      ["-c", join(dir, "watchlist.json")],
      { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
      dir,
    );
    onTestFinished(() => {
      if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill("SIGKILL");
    });
    return process;
  };
  return { api, project, lists, watch };
}

const typesOf = (process: WatchProcess, type: string) =>
  process.lines().filter((line) => eventOf(line)?.type === type);
const isEvent = (type: string) => (line: Record<string, unknown>) => eventOf(line)?.type === type;

async function stopWithSigterm(process: WatchProcess): Promise<void> {
  process.child.kill("SIGTERM");
  expect((await process.exited).code).toBe(0);
}

/** A first daemon that sees the session, then sees the project's list fail until poll_failing, and stops. */
async function failThenStop(setup: Awaited<ReturnType<typeof setUp>>) {
  const first = setup.watch();
  await first.waitForLine(isEvent("authsession.ready"), 15_000);
  const fault = setup.api.injectFault({ kind: "status", status: 503, project: setup.project });
  onTestFinished(() => fault.remove());
  const failing = await first.waitForLine(isEvent("project.poll_failing"), 15_000);
  expect(eventOf(failing)?.data).toMatchObject({ projectName: setup.project.projectName, failures: 2 });
  await stopWithSigterm(first);
  return fault;
}

describe("a project whose list fails across a restart of authwatch watch", () => {
  it("is not reported failing a second time after the restart, and its recovery is reported exactly once", async () => {
    const setup = await setUp("still-failing");
    const fault = await failThenStop(setup);

    const second = setup.watch();
    // Several more failed lists after the restart: past the threshold again, yet nothing new.
    const hits = fault.hits;
    await expect.poll(() => fault.hits, WAIT).toBeGreaterThan(hits + 3);
    expect(typesOf(second, "project.poll_failing")).toEqual([]);

    fault.remove();
    const recovered = await second.waitForLine(isEvent("project.poll_recovered"), 15_000);
    expect(eventOf(recovered)?.data).toMatchObject({ workspaceId: WORKSPACE, projectName: "still-failing" });
    const seen = setup.lists();
    await expect.poll(() => setup.lists(), WAIT).toBeGreaterThan(seen + 3);
    expect(typesOf(second, "project.poll_recovered")).toHaveLength(1);
    expect(typesOf(second, "project.poll_failing")).toEqual([]);
    // The session itself did not change at any point: no event about it after the restart.
    expect(second.lines().filter((line) => eventOf(line)?.type.startsWith("authsession."))).toEqual([]);
    await stopWithSigterm(second);
  });

  it("reports the recovery at the first successful list when the API recovered while authwatch was down", async () => {
    const setup = await setUp("recovered-while-down");
    const fault = await failThenStop(setup);
    fault.remove();

    const second = setup.watch();
    await second.waitForLine(isEvent("project.poll_recovered"), 15_000);
    const seen = setup.lists();
    await expect.poll(() => setup.lists(), WAIT).toBeGreaterThan(seen + 3);
    expect(typesOf(second, "project.poll_recovered")).toHaveLength(1);
    expect(typesOf(second, "project.poll_failing")).toEqual([]);

    // Once recovered, the stored history says so: a third start announces nothing about the project.
    await stopWithSigterm(second);
    const third = setup.watch();
    await third.waitForLine((line) => line.msg === "authwatch is watching", 15_000);
    const again = setup.lists();
    await expect.poll(() => setup.lists(), WAIT).toBeGreaterThan(again + 3);
    expect(third.lines().filter((line) => eventOf(line))).toEqual([]);
    await stopWithSigterm(third);
  });
});
