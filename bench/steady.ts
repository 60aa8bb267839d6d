import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiDispatcher } from "../src/api/dispatcher.js";
import { loadWatchlist } from "../src/config/load.js";
import { startDaemon } from "../src/daemon/daemon.js";
import { API_KEY, benchEnv, buildBenchConfig, PROJECT, WORKSPACE_ID } from "./bench-config.js";
import { createBenchLogger } from "./bench-logger.js";
import { type FakeApiProcess, startFakeApiProcess } from "./fake-api-process.js";
import { collectGarbage, cpuMsSince, now, sleep, waitFor } from "./measure.js";
import { probeDispatcher } from "./probe-dispatcher.js";
import { median } from "./stats.js";
import type { SteadyFiles } from "./steady-prepare.js";

export interface SteadyOptions {
  count: number;
  idPrefix: string;
  files: SteadyFiles;
  /** The idle window is read in slices of this length … */
  idleSliceMs: number;
  /** … this many of them. */
  idleSlices: number;
}

export interface SteadyResult {
  sessions: number;
  /** Reading, parsing and resolving the watchlist. */
  configMs: number;
  /** From reading the watchlist to the first poll handed to the connection pool. */
  startupMs: number;
  /** From the first to the last answer of the start-up polls (every session once). */
  startupPollsMs: number;
  heapBytesPerSession: number;
  externalBytesPerSession: number;
  rssBytesPerSession: number;
  heapUsedMb: number;
  rssMb: number;
  idleWindowMs: number;
  /** CPU of each idle slice, in ms. */
  idleSliceCpuMs: number[];
  /** The median slice, per minute: what watching costs while nothing is due. */
  idleCpuMsPerMin: number;
  /** The whole idle window, per minute, one-off housekeeping included (see measureSteady). */
  idleWindowCpuMsPerMin: number;
  /** Polls sent during the idle window (0 expected: nothing is due for an hour). */
  idlePolls: number;
}

const WARM_UP_SESSIONS = 20;

/**
 * Memory, start-up and idle cost of a daemon restarting with N sessions (see steady-prepare.ts).
 * Baseline: this process with every module loaded and a small daemon started and stopped once (code
 * compiled, pools and caches warmed), after a full GC. Then: load the watchlist, startDaemon, wait for
 * the start-up poll of every session, GC, measure; then sit idle and read this process's CPU time.
 */
export async function measureSteady(options: SteadyOptions): Promise<SteadyResult> {
  const { count } = options;
  const api = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: [{ count, workspaceId: WORKSPACE_ID, projectName: PROJECT, idPrefix: options.idPrefix }],
  });
  try {
    await warmUp(api, options.idPrefix);
    collectGarbage();
    const before = process.memoryUsage();

    const start = now();
    const config = loadWatchlist(options.files.watchlistPath, benchEnv(api.url), { requireSecrets: true });
    const configMs = now() - start;
    const probe = probeDispatcher(createApiDispatcher({ connections: config.api.concurrency }));
    const daemon = await startDaemon({
      config,
      logger: createBenchLogger(),
      apiDispatcher: probe.dispatcher,
    });
    await waitFor(() => probe.firstDispatchAt() !== undefined, 60_000, "the first poll");
    const startupMs = probe.firstDispatchAt()! - start;
    await waitFor(() => probe.answered() >= count, 180_000, "the start-up polls");
    const startupPollsMs = now() - probe.firstDispatchAt()!;
    // Let the last polls finish their bookkeeping (reschedule) before measuring.
    await sleep(500);
    collectGarbage();
    const after = process.memoryUsage();

    // Some of the idle window is housekeeping after the start-up burst, not idling: V8's memory
    // reducer runs a few heap-shrinking collections (about a second of CPU, 20-30 s after the burst),
    // and the pool closes its idle sockets 10 s after the last poll. The median slice leaves them out;
    // the whole window keeps them.
    const polledBefore = probe.dispatched();
    const idleStart = now();
    const idleSliceCpuMs: number[] = [];
    for (let slice = 0; slice < options.idleSlices; slice++) {
      const cpuStart = process.cpuUsage();
      await sleep(options.idleSliceMs);
      idleSliceCpuMs.push(cpuMsSince(cpuStart));
    }
    const idleWindowMs = now() - idleStart;
    const idlePolls = probe.dispatched() - polledBefore;
    const perMinute = 60_000 / options.idleSliceMs;

    await daemon.stop(5_000);
    await probe.close();
    return {
      sessions: count,
      configMs,
      startupMs,
      startupPollsMs,
      heapBytesPerSession: (after.heapUsed - before.heapUsed) / count,
      externalBytesPerSession: (after.external - before.external) / count,
      rssBytesPerSession: (after.rss - before.rss) / count,
      heapUsedMb: after.heapUsed / 2 ** 20,
      rssMb: after.rss / 2 ** 20,
      idleWindowMs,
      idleSliceCpuMs,
      idleCpuMsPerMin: median(idleSliceCpuMs) * perMinute,
      idleWindowCpuMsPerMin: (idleSliceCpuMs.reduce((sum, ms) => sum + ms, 0) * 60_000) / idleWindowMs,
      idlePolls,
    };
  } finally {
    await api.stop();
  }
}

/** A small daemon through its whole life once, so that the baseline already holds compiled code. */
async function warmUp(api: FakeApiProcess, idPrefix: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-"));
  const probe = probeDispatcher(createApiDispatcher({ connections: 16 }));
  const config = buildBenchConfig({
    baseUrl: api.url,
    count: WARM_UP_SESSIONS,
    idPrefix,
    interval: "1h",
    jitter: 0.1,
    concurrency: 16,
    maxRequestsPerSecond: 1_000_000,
    statePath: join(dir, "state.db"),
  });
  const daemon = await startDaemon({ config, logger: createBenchLogger(), apiDispatcher: probe.dispatcher });
  let stored = 0;
  daemon.bus.on("event", () => {
    stored++;
  });
  try {
    await waitFor(() => stored >= WARM_UP_SESSIONS, 30_000, "the warm-up daemon");
  } finally {
    await daemon.stop(5_000);
    await probe.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
