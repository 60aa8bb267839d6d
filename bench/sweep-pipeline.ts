import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { createApiDispatcher } from "../src/api/dispatcher.js";
import { startDaemon } from "../src/daemon/daemon.js";
import { startHaDaemon } from "../src/postgres/ha-daemon.js";
import { buildBenchConfig, PROJECT, WORKSPACE_ID } from "./bench-config.js";
import { createBenchLogger } from "./bench-logger.js";
import type { FakeApiProcess } from "./fake-api-process.js";
import { cpuMsBetween, now, within } from "./measure.js";
import { probeDispatcher } from "./probe-dispatcher.js";
import type { SweepTarget } from "./sweep-raw.js";
import { type SweepResult, sweepResult } from "./sweep-result.js";

/**
 * A never-observed session uses the `default` interval, and its first poll falls within
 * min(1 s, that interval) of the start: with `default` 1 ms all N are due at the same instant. READY
 * (what the fake answers) is 1 ms too, so each session is due again as soon as it has answered; the
 * scheduler serves the oldest due first, so all N first polls run before any second one. All through
 * the real startDaemon, with nothing changed in src/.
 */
export const ALL_DUE_AT_ONCE = {
  default: "1ms",
  READY: "1ms",
  PENDING: "1h",
  // Polled on, so that the status flips of the transitions sweep are seen at once (see below).
  EXPIRED: "1ms",
  NOT_FOUND: "1h",
};

export interface PipelineSweepResult {
  /** The N first observations: poll, transition, event, durable commit, bus. */
  first: SweepResult;
  /** The N second polls: the same status again, so no event and no write (a watcher's usual poll). */
  steady: SweepResult;
  /**
   * Then every session expires at once (the fake's project-wide status control), is READY again, and
   * expires again: the N transitions of that last flip, READY → EXPIRED, in a daemon whose code for
   * them has run (and been compiled) twice. A fresh daemon's first sweep also pays for compiling its
   * code (docs/benchmarks.md).
   */
  transitions: SweepResult;
}

interface Mark {
  at: number;
  cpu: NodeJS.CpuUsage;
  serverCpuMs: number;
}

const mark = (api: FakeApiProcess): Mark => ({
  at: now(),
  cpu: process.cpuUsage(),
  serverCpuMs: api.cpuMs(),
});

/**
 * With `postgresUrl`, the same on a fresh PostgreSQL database (the HA daemon, as `authwatch watch` runs it).
 * The whole daemon (startDaemon: scheduler, client, state machine, group-committed SQLite store with
 * synchronous=FULL on a real disk, bus), on a fresh state file. The first sweep runs from the first
 * request handed to the pool until the N-th first observation has been committed and published on the
 * bus; the steady sweep from the N-th answer to the 2N-th.
 */
export async function runPipelineSweep(
  target: SweepTarget,
  postgresUrl?: string,
  /** Called as each sweep starts and ends (bench/profile-sweep.ts profiles just those windows). */
  onSweep?: (
    phase: "first" | "firstDone" | "steady" | "steadyDone" | "transitions" | "transitionsDone",
  ) => void,
): Promise<PipelineSweepResult> {
  const { api, count, concurrency } = target;
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-"));
  const config = buildBenchConfig({
    baseUrl: api.url,
    count,
    idPrefix: target.idPrefix,
    interval: ALL_DUE_AT_ONCE,
    jitter: 0.1,
    concurrency,
    maxRequestsPerSecond: 1_000_000,
    statePath: join(dir, "state.db"),
    ...(postgresUrl ? { postgresUrl } : {}),
  });
  let start: Mark | undefined;
  let firstAnswered: Mark | undefined;
  let firstStored: Mark | undefined;
  let steadyAnswered: Mark | undefined;
  let flipped: Mark | undefined;
  let expiredStored: Mark | undefined;
  let answered = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const probe = probeDispatcher(createApiDispatcher({ connections: concurrency }), {
    onFirstDispatch: () => {
      onSweep?.("first");
      start = mark(api);
    },
    onAnswer: () => {
      answered++;
      if (answered === count) {
        firstAnswered = mark(api);
        onSweep?.("steady");
      }
      if (answered === 2 * count) {
        steadyAnswered = mark(api);
        onSweep?.("steadyDone");
        resolveDone();
      }
    },
  });
  let stored = 0;
  // Each flip: the status every session must reach, how many have, and who waits for all of them.
  let flip = { to: "", reached: 0, done: () => {} };
  const flipAll = async (to: string) => {
    const reachedAll = new Promise<void>((resolve) => {
      flip = { to, reached: 0, done: resolve };
    });
    await setProjectStatus(api, to);
    const from = mark(api);
    await within(reachedAll, 120_000, `every session ${to}`);
    return from;
  };
  const options = { config, logger: createBenchLogger(), apiDispatcher: probe.dispatcher };
  // On PostgreSQL the daemon `authwatch watch` runs is the HA one (lease, then the fenced store).
  const daemon = config.postgres
    ? await startHaDaemon({ ...options, config: { ...config, postgres: config.postgres } })
    : await startDaemon(options);
  daemon.bus.on("event", (event) => {
    if (!("from" in event.data)) return;
    if (event.data.from !== null && event.data.to === flip.to && ++flip.reached === count) {
      expiredStored = mark(api);
      flip.done();
    }
    if (event.data.from !== null) return;
    if (++stored === count) {
      firstStored = mark(api);
      onSweep?.("firstDone");
    }
  });
  try {
    await within(done, 120_000, "the pipeline sweep");
    await flipAll("EXPIRED");
    await flipAll("READY");
    onSweep?.("transitions");
    flipped = await flipAll("EXPIRED");
    onSweep?.("transitionsDone");
  } finally {
    await daemon.stop(5_000);
    await probe.close();
    rmSync(dir, { recursive: true, force: true });
    // The next sweep starts from READY again.
    await setProjectStatus(api, "READY");
  }
  if (!start || !firstAnswered || !firstStored || !steadyAnswered || !flipped || !expiredStored)
    throw new Error("the sweep did not complete");
  // Polls beyond 2N answered are in flight when the daemon stops; failed polls are retried and counted.
  const errors = probe.dispatched() - probe.answered();
  return {
    first: span("pipeline", stored, errors, start, firstStored),
    steady: span("pipeline", count, 0, firstAnswered, steadyAnswered),
    transitions: span("pipeline", count, 0, flipped, expiredStored),
  };
}

/** Every session of the bench project has `status` from now on; answers once the fake has applied it. */
async function setProjectStatus(api: FakeApiProcess, status: string): Promise<void> {
  const response = await request(`${new URL(api.url).origin}/_control/status`, {
    method: "POST",
    body: JSON.stringify({ workspaceId: WORKSPACE_ID, projectName: PROJECT, status }),
  });
  const answer = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`the fake refused the status change: ${answer}`);
}

function span(kind: "pipeline", polls: number, errors: number, from: Mark, to: Mark): SweepResult {
  return sweepResult(kind, {
    polls,
    errors,
    ms: to.at - from.at,
    cpuMs: cpuMsBetween(from.cpu, to.cpu),
    serverCpuMs: to.serverCpuMs - from.serverCpuMs,
  });
}
