import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { OutboxStore } from "../store/state-store.js";
import { createSinkLoop, type SinkLoop } from "./sink-loop.js";
import type { DeliveryMetrics, OutboxSinkEntry } from "./types.js";

export interface OutboxWorkerOptions {
  store: OutboxStore;
  /** The durable sinks by name. */
  sinks: ReadonlyMap<string, OutboxSinkEntry>;
  /**
   * Sinks disabled by a 410 (name → refused fingerprint), as loaded from the store at start. The worker
   * keeps it current; the event path reads it so that no row is queued for a disabled sink.
   */
  disabledSinks: Map<string, string>;
  clock: Clock;
  logger: Logger;
  /** Uniform in [0, 1) for retry jitter; Math.random by default. */
  random?: () => number;
  metrics?: DeliveryMetrics;
  /** Attempts in flight at once per sink (each for a different session). Default 4. */
  concurrencyPerSink?: number;
  /** In-process retries right after a retryable failure, before the persisted schedule. Default 2. */
  quickRetries?: number;
  /** See SinkLoopOptions.mayDeliver. */
  mayDeliver?: (() => boolean) | undefined;
}

export interface OutboxWorker {
  /** Starts every sink's loop; rows already due (left by a crash or a stop) are attempted at once. */
  start(): void;
  /** New rows were written: wake one sink's loop, or all. */
  notify(sinkName?: string): void;
  /** A reload: new sinks start, removed ones finish what is in flight, changed configs apply. */
  updateSinks(sinks: ReadonlyMap<string, OutboxSinkEntry>): void;
  /**
   * Takes no new rows, waits for in-flight attempts, and aborts what is still running shortly before
   * `timeoutMs`, so it resolves within it. Aborted rows stay pending and are retried at the next start.
   */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Delivers the persistent outbox. Each sink has its own loop (timer and concurrency), so a
 * slow or failing sink never delays another one.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, clock, logger } = options;
  const random = options.random ?? Math.random;
  const concurrency = Math.max(1, options.concurrencyPerSink ?? 4);
  const quickRetries = Math.max(0, options.quickRetries ?? 2);
  let sinks = options.sinks;
  let state: "idle" | "running" | "stopping" = "idle";
  const loops = new Map<string, SinkLoop>();
  /** Loops of sinks removed by a reload, kept until their in-flight attempts end. */
  const retired = new Set<SinkLoop>();

  const createLoop = (name: string, entry: OutboxSinkEntry): SinkLoop =>
    createSinkLoop({
      name,
      entry,
      store,
      disabledSinks: options.disabledSinks,
      clock,
      logger,
      random,
      metrics: options.metrics,
      concurrency,
      quickRetries,
      mayDeliver: options.mayDeliver,
    });

  /**
   * Pending rows of a sink that is no longer in the watchlist can never be delivered: mark them
   * disabled (history shows it), so they neither wait forever nor keep the outbox-depth gauge up.
   * A sink that comes back later starts with the events that happen from then on.
   */
  async function retireOrphanRows(): Promise<void> {
    try {
      for (const sink of await store.pendingSinks()) {
        if (sinks.has(sink)) continue;
        const count = await store.markSinkRowsDisabled(sink);
        logger.warn(
          { sink, count },
          `sink ${sink} is no longer configured: its ${count} pending deliveries will not be sent`,
        );
      }
    } catch (error) {
      logger.error({ error }, "could not read the outbox");
    }
  }

  function retire(loop: SinkLoop): void {
    loop.stop();
    retired.add(loop);
    void loop.idle().finally(() => retired.delete(loop));
  }

  async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
    const timeout = new AbortController();
    const timedOut = clock.sleep(Math.max(0, ms), timeout.signal).then(
      () => false,
      () => false,
    );
    const settled = promise.then(
      () => true,
      () => true,
    );
    const result = await Promise.race([settled, timedOut]);
    timeout.abort();
    return result;
  }

  return {
    start() {
      if (state !== "idle") return;
      state = "running";
      for (const [name, entry] of sinks) loops.set(name, createLoop(name, entry));
      void retireOrphanRows();
      for (const loop of loops.values()) loop.pump();
    },
    notify(sinkName) {
      if (state !== "running") return;
      if (sinkName === undefined) {
        for (const loop of loops.values()) loop.schedulePump();
      } else {
        loops.get(sinkName)?.schedulePump();
      }
    },
    updateSinks(next) {
      sinks = next;
      if (state !== "running") return;
      for (const [name, loop] of loops) {
        if (next.has(name)) continue;
        loops.delete(name);
        retire(loop);
      }
      void retireOrphanRows();
      for (const [name, entry] of next) {
        const loop = loops.get(name);
        if (loop) {
          loop.update(entry);
          continue;
        }
        const created = createLoop(name, entry);
        loops.set(name, created);
        created.pump();
      }
    },
    async stop(timeoutMs) {
      if (state === "idle") return;
      state = "stopping";
      const all = [...loops.values(), ...retired];
      for (const loop of all) loop.stop();
      const idle = Promise.all(all.map((loop) => loop.idle()));
      // Keep a slice of the budget for aborted attempts to wind down and release their sockets.
      const grace = Math.min(1_000, Math.floor(timeoutMs / 5));
      if (!(await settlesWithin(idle, timeoutMs - grace))) {
        const inFlight = all.reduce((sum, loop) => sum + loop.inFlight(), 0);
        logger.warn({ inFlight }, `aborting ${inFlight} deliveries in flight at shutdown; they stay pending`);
        for (const loop of all) loop.abort();
        await settlesWithin(idle, grace);
      }
      for (const loop of all) loop.detach();
    },
  };
}
