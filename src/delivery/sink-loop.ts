import { type Clock, monotonicToWall } from "../clock.js";
import { formatDuration } from "../duration.js";
import { AuthwatchError } from "../errors/authwatch-error.js";
import { toErrorInfo } from "../errors/to-error-info.js";
import type { Logger } from "../logger.js";
import type { DeliveryOutcome } from "../sinks/sink.js";
import type { OutboxStore } from "../store/state-store.js";
import type { DeliveryRow } from "../store/types.js";
import { attemptDelivery } from "./attempt.js";
import { isWindowOver, planRetry } from "./retry-schedule.js";
import type { DeliveryMetrics, OutboxSinkEntry } from "./types.js";

export interface SinkLoopOptions {
  name: string;
  entry: OutboxSinkEntry;
  store: OutboxStore;
  /** Sinks disabled by a 410 (name → refused fingerprint), shared with the event path. */
  disabledSinks: Map<string, string>;
  clock: Clock;
  logger: Logger;
  random: () => number;
  metrics: DeliveryMetrics | undefined;
  concurrency: number;
  quickRetries: number;
  /**
   * False while this process may not deliver (an HA leader whose lease may have ended, say after a
   * SIGSTOP): checked right before each call, since rows read before a pause are still in hand after it.
   */
  mayDeliver?: (() => boolean) | undefined;
}

/** The delivery loop of one sink: its own timer, its own concurrency, nothing shared with others. */
export interface SinkLoop {
  readonly name: string;
  /** Takes due rows up to the concurrency limit and arms the timer for the next due row. */
  pump(): void;
  /** pump() once the current synchronous burst is over: a thousand notifications cost one query. */
  schedulePump(): void;
  /** A reload: a new config (fingerprint) may lift a 410 that disabled the sink. */
  update(entry: OutboxSinkEntry): void;
  /** Takes no new rows from now on; in-flight attempts go on. */
  stop(): void;
  /** Settles when every in-flight attempt has. */
  idle(): Promise<void>;
  inFlight(): number;
  /** Aborts in-flight attempts through their signal; their rows stay pending. */
  abort(): void;
  /** Ignores whatever in-flight attempts report from now on (the store may be closing). */
  detach(): void;
}

/**
 * When the earliest due row is one already in flight, the next wake-up time cannot be known from the
 * store: look again at this pace so that a slow attempt never holds back the other lanes of the sink.
 */
const RECHECK_MS = 1_000;
/** After the store failed, wait before touching it again rather than redelivering in a loop. */
const STORE_BACKOFF_MS = 5_000;
/** Past its window a row is still tried within this margin: the schedule plans one last try at the end. */
const STALE_GRACE_MS = 60_000;

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

export function createSinkLoop(options: SinkLoopOptions): SinkLoop {
  const { name, store, disabledSinks, clock, logger, random, metrics, concurrency, quickRetries } = options;
  let entry = options.entry;
  let stopped = false;
  let detached = false;
  let pausedUntil = 0;
  let cancelTimer: (() => void) | undefined;
  let pumpScheduled = false;
  /** A look at the outbox is under way (the store may answer later); another one is wanted after it. */
  let pumping = false;
  let pumpAgain = false;
  const running = new Map<number, InFlight>();
  /**
   * Outcomes the store refused to record (disk full, file read-only), by row id, kept to be written
   * before anything else: the row is still pending on disk, and taking it again would resend an
   * event the receiver already has, every few seconds for as long as the disk stays full.
   */
  const unsaved = new Map<number, () => Promise<void>>();
  /** Sessions with an attempt in flight: one row per (session, sink) at a time keeps their order. */
  const busySessions = new Set<string>();
  let disabled = disabledSinks.get(name) === entry.fingerprint;

  if (disabled) logDisabledAtStart();

  /** One look at the outbox at a time: a pump asked for meanwhile runs right after it. */
  function pump(): void {
    if (stopped) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    void pumpOnce().finally(() => {
      pumping = false;
      if (pumpAgain) {
        pumpAgain = false;
        pump();
      }
    });
  }

  async function pumpOnce(): Promise<void> {
    cancelTimer?.();
    cancelTimer = undefined;
    const now = clock.monotonic();
    if (now < pausedUntil) {
      arm(pausedUntil - now);
      return;
    }
    try {
      for (const [id, save] of unsaved) {
        await save();
        unsaved.delete(id);
      }
      if (disabled) {
        const count = await store.markSinkRowsDisabled(name);
        if (count > 0)
          logger.warn({ sink: name, count }, `sink ${name} is disabled; ${count} deliveries not sent`);
        return;
      }
      const free = concurrency - running.size;
      if (free > 0) {
        // Asking for the in-flight count more covers the lane heads that are already in flight.
        for (const row of await store.dueDeliveries(name, now, free + running.size)) {
          if (stopped || disabled || running.size >= concurrency) break;
          if (running.has(row.id) || unsaved.has(row.id) || busySessions.has(laneOf(row))) continue;
          if (await isStale(row, now)) continue;
          if (options.mayDeliver && !options.mayDeliver()) break;
          run(row);
        }
      }
      // At full concurrency the next completion pumps again.
      if (running.size < concurrency) await armForNextDue();
    } catch (error) {
      pauseAfterStoreError(error);
    }
  }

  /**
   * A row whose retry window ended while nobody could try it (the daemon was down for days) is
   * dead-lettered unsent: a three-day-old "expired" must not trigger a re-auth now. The same
   * grace the schedule gives its last try applies.
   */
  async function isStale(row: DeliveryRow, now: number): Promise<boolean> {
    if (!isWindowOver(row.createdAt, entry.sink.config.retryWindowMs + STALE_GRACE_MS, now)) return false;
    const error = { code: "WINDOW_ENDED", message: "the retry window ended before the event could be sent" };
    await store.markDead(row.id, error, now, row.attempts);
    metrics?.deliveryResult(name, "dead");
    logger.error(
      { sink: name, eventId: row.eventId, eventType: row.event.type },
      `event ${row.eventId} dead-lettered for sink ${name}: its retry window ended before it could be sent`,
    );
    return true;
  }

  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    queueMicrotask(() => {
      pumpScheduled = false;
      pump();
    });
  }

  async function armForNextDue(): Promise<void> {
    const at = await store.nextDueAt(name);
    if (at === undefined) return;
    const wait = at - clock.monotonic();
    arm(wait > 0 ? wait : RECHECK_MS);
  }

  function arm(ms: number): void {
    if (stopped) return;
    cancelTimer?.();
    cancelTimer = clock.setTimer(() => {
      cancelTimer = undefined;
      pump();
    }, ms);
  }

  function pauseAfterStoreError(error: unknown): void {
    pausedUntil = clock.monotonic() + STORE_BACKOFF_MS;
    logger.error(
      { sink: name, error: toErrorInfo(error) },
      `outbox of sink ${name} unavailable; trying again in ${formatDuration(STORE_BACKOFF_MS)}`,
    );
    if (!stopped) arm(STORE_BACKOFF_MS);
  }

  function run(row: DeliveryRow): void {
    const controller = new AbortController();
    const lane = laneOf(row);
    busySessions.add(lane);
    const done = deliver(row, entry, controller.signal)
      .catch((error: unknown) => pauseAfterStoreError(error))
      .finally(() => {
        running.delete(row.id);
        busySessions.delete(lane);
        schedulePump();
      });
    running.set(row.id, { controller, done });
  }

  async function deliver(row: DeliveryRow, used: OutboxSinkEntry, signal: AbortSignal): Promise<void> {
    // Left pending for whoever may deliver now (the new leader sends it, with the same id).
    if (options.mayDeliver && !options.mayDeliver()) return;
    const startedAt = clock.monotonic();
    const result = await attemptDelivery(used.sink, row.event, {
      ...(options.mayDeliver ? { mayCall: options.mayDeliver } : {}),
      signal,
      clock,
      random,
      quickRetries,
      previousAttempts: row.attempts,
      progress: row.progress ?? undefined,
    });
    // After stop() gave up on it, the row stays pending for the next start: at least once.
    if (detached || result.aborted) return;
    const now = clock.monotonic();
    const attempts = row.attempts + result.calls;
    const save = () => settle(row, used, result.outcome, { now, attempts, durationMs: now - startedAt });
    try {
      await save();
    } catch (error) {
      // Each settle writes before it reports, so trying it again later neither counts nor logs twice.
      unsaved.set(row.id, save);
      throw error;
    }
  }

  async function settle(
    row: DeliveryRow,
    used: OutboxSinkEntry,
    outcome: DeliveryOutcome,
    at: { now: number; attempts: number; durationMs: number },
  ): Promise<void> {
    // The sink was disabled while this attempt ran: its row is already marked, nothing more to say.
    if (disabled && outcome.kind !== "delivered") return;
    const fields = { sink: name, eventId: row.eventId, eventType: row.event.type, attempts: at.attempts };
    switch (outcome.kind) {
      case "delivered":
        await store.markDelivered(row.id, at.now, at.attempts, outcome.partial);
        metrics?.deliveryResult(name, "delivered", at.durationMs);
        if (outcome.partial) {
          logger.warn(
            { ...fields, error: outcome.partial },
            `delivered to sink ${name}, not everywhere: ${outcome.partial.message}`,
          );
        } else logger.debug(fields, `delivered to sink ${name}`);
        return;
      case "permanent":
        await store.markDead(row.id, outcome.error, at.now, at.attempts);
        metrics?.deliveryResult(name, "dead", at.durationMs);
        logger.error(
          { ...fields, error: outcome.error },
          `delivery to sink ${name} failed for good (${outcome.error.message}); event ${row.eventId} dead-lettered`,
        );
        return;
      case "disable":
        await disable(row, used, outcome.error, fields);
        metrics?.deliveryResult(name, "disabled", at.durationMs);
        return;
      case "retry": {
        const windowMs = used.sink.config.retryWindowMs;
        const plan = planRetry({
          now: at.now,
          createdAt: row.createdAt,
          windowMs,
          retries: row.retries,
          retryAfterMs: outcome.retryAfterMs,
          random,
        });
        if (plan.kind === "dead") {
          await store.markDead(row.id, outcome.error, at.now, at.attempts);
          metrics?.deliveryResult(name, "dead", at.durationMs);
          logger.error(
            { ...fields, error: outcome.error },
            `delivery to sink ${name} dead-lettered: retry window of ${formatDuration(windowMs)} over ` +
              `after ${at.attempts} attempts; event ${row.eventId} (${row.event.type}) was not delivered`,
          );
          return;
        }
        await store.markRetry(row.id, {
          nextAttemptAt: plan.at,
          error: outcome.error,
          attempts: at.attempts,
          ...(outcome.progress === undefined ? {} : { progress: outcome.progress }),
        });
        metrics?.deliveryResult(name, "retry", at.durationMs);
        logger.warn(
          {
            ...fields,
            error: outcome.error,
            nextAttemptAt: new Date(monotonicToWall(clock, plan.at)).toISOString(),
          },
          `delivery to sink ${name} failed (${outcome.error.message}); next attempt in ${formatDuration(plan.at - at.now)}`,
        );
        return;
      }
    }
  }

  async function disable(
    row: DeliveryRow,
    used: OutboxSinkEntry,
    error: { code: string; message: string },
    fields: Record<string, unknown>,
  ): Promise<void> {
    // In memory first: from now on the event path queues nothing more for this config.
    disabledSinks.set(name, used.fingerprint);
    // A reload may have brought a new config while this attempt was in flight: the 410 was about the
    // old one, so only this row is given up and the rest go to the new receiver.
    const current = used.fingerprint === entry.fingerprint;
    if (current) {
      disabled = true;
      for (const [id, other] of running) {
        if (id !== row.id) other.controller.abort(new AuthwatchError("ABORTED", `sink ${name} disabled`));
      }
      logger.error(
        { ...fields, error },
        `sink ${name} disabled: receiver answered 410 Gone; change its config and reload to re-enable`,
      );
    }
    await store.disableSink(name, used.fingerprint, `${error.code}: ${error.message}`);
    if (current) await store.markSinkRowsDisabled(name);
    else await store.markDead(row.id, error, clock.monotonic());
  }

  function logDisabledAtStart(): void {
    logger.error(
      { sink: name },
      `sink ${name} is disabled: its receiver answered 410 Gone; change its config and reload to re-enable`,
    );
  }

  return {
    name,
    pump,
    schedulePump,
    update(next) {
      const changed = next.fingerprint !== entry.fingerprint;
      entry = next;
      if (!changed) return;
      const wasDisabled = disabled;
      disabled = disabledSinks.get(name) === next.fingerprint;
      if (wasDisabled && !disabled)
        logger.info({ sink: name }, `sink ${name} re-enabled: its config changed`);
      pump();
    },
    stop() {
      stopped = true;
      cancelTimer?.();
      cancelTimer = undefined;
    },
    async idle() {
      await Promise.all([...running.values()].map((flight) => flight.done));
    },
    inFlight: () => running.size,
    abort() {
      for (const flight of running.values()) {
        flight.controller.abort(new AuthwatchError("ABORTED", "authwatch is shutting down"));
      }
    },
    detach() {
      detached = true;
    },
  };
}

function laneOf(row: DeliveryRow): string {
  return row.sessionKey ?? "";
}
