import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createClientPool } from "../src/api/client-pool.js";
import { createApiDispatcher } from "../src/api/dispatcher.js";
import { systemClock } from "../src/clock.js";
import { createEventPipeline } from "../src/daemon/event-pipeline.js";
import { createPollHandler } from "../src/daemon/poll-handler.js";
import { createEventBus } from "../src/event-bus.js";
import { createScheduler } from "../src/scheduler/scheduler.js";
import { openStore } from "../src/store/store.js";
import { buildBenchConfig } from "./bench-config.js";
import { createBenchLogger } from "./bench-logger.js";
import type { FakeApiProcess } from "./fake-api-process.js";
import { sleep } from "./measure.js";
import { probeDispatcher } from "./probe-dispatcher.js";
import { percentile } from "./stats.js";

export interface LatenessOptions {
  api: FakeApiProcess;
  count: number;
  idPrefix: string;
  concurrency: number;
  /** Polls per second offered by the N sessions together. */
  ratePerSecond: number;
  /** How long to watch. */
  windowMs: number;
}

export interface LatenessResult {
  ratePerSecond: number;
  intervalMs: number;
  polls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How late the event loop itself ran over the same window (perf_hooks), to tell what lateness is made of. */
  loopDelayP99Ms: number;
}

/**
 * Scheduling accuracy under load: the N sessions' first polls are spread evenly over one interval
 * (upsert with dueAt), so the offered rate is steady from the first second, and every start reports its
 * lateness through the scheduler's onLate hook. startDaemon does not expose onLate (it feeds a
 * Prometheus histogram whose finest bucket is 1 ms), so this wires the same pieces startDaemon wires:
 * store, state writer, bus, client pool, watcher, scheduler. No sinks.
 */
export async function measureLateness(options: LatenessOptions): Promise<LatenessResult> {
  const { api, count, concurrency, ratePerSecond } = options;
  const intervalMs = Math.round((count / ratePerSecond) * 1000);
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-"));
  const config = buildBenchConfig({
    baseUrl: api.url,
    count,
    idPrefix: options.idPrefix,
    interval: intervalMs,
    jitter: 0.1,
    concurrency,
    maxRequestsPerSecond: 1_000_000,
    statePath: join(dir, "state.db"),
  });
  const logger = createBenchLogger();
  const store = openStore(config.statePath, { logger });
  const states = store.loadSessions();
  const bus = createEventBus();
  const pipeline = createEventPipeline({
    store,
    sinks: { route: () => [], deliverNow: () => undefined },
    bus,
    wakeDelivery: () => undefined,
    logger,
  });
  const probe = probeDispatcher(createApiDispatcher({ connections: concurrency }));
  const clients = createClientPool(config.api, { dispatcher: probe.dispatcher });
  const pollHandler = createPollHandler({
    clock: systemClock,
    logger,
    clients,
    pipeline,
    states,
    logTransitions: true,
  });
  const lateMs: number[] = [];
  const scheduler = createScheduler({
    clock: systemClock,
    concurrency,
    maxRequestsPerSecond: config.api.maxRequestsPerSecond,
    poll: pollHandler.poll,
    onLate: (ms) => lateMs.push(ms),
  });
  const start = systemClock.now() + 100;
  config.sessions.forEach((session, i) => {
    scheduler.upsert(session, undefined, { dueAt: start + (i * intervalMs) / count });
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  scheduler.start();
  try {
    await sleep(options.windowMs);
  } finally {
    loopDelay.disable();
    await scheduler.stop();
    await pipeline.flush();
    pipeline.close();
    store.close();
    await probe.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    ratePerSecond,
    intervalMs,
    polls: lateMs.length,
    p50Ms: percentile(lateMs, 50),
    p99Ms: percentile(lateMs, 99),
    maxMs: percentile(lateMs, 100),
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
  };
}
