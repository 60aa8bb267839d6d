import { type Clock, systemClock } from "../clock.js";
import { failureForLog } from "../errors/failure-for-log.js";
import type { EventBus } from "../event-bus.js";
import type { AuthwatchEvent, TransitionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { AlertProgressChange } from "../store/alert-tables.js";
import type { StateStore, StoreChange } from "../store/state-store.js";
import type { SessionRef, SessionState } from "../types.js";
import { backoffDelay } from "../util/backoff.js";

/** The pipeline's view of the configured sinks. */
export interface EventSinks {
  /** Durable sinks (outbox rows) that want the event, minus those disabled by a 410: memory only. */
  route(event: AuthwatchEvent): string[];
  /** Hands the event to the immediate sinks (console) that want it, each isolated from the others. */
  deliverNow(event: AuthwatchEvent): void;
}

export interface EventPipelineDeps {
  store: StateStore;
  sinks: EventSinks;
  /** Listeners (tests, the library, /events) hear each event once it is stored, in order. */
  bus: EventBus;
  /** Wakes the delivery loop of a sink that has new outbox rows. */
  wakeDelivery(sink: string): void;
  logger: Logger;
  /** After a failed write, the first retry waits this long, doubling up to 30 s. */
  retryDelayMs?: number;
  /** Retry waits and the burst gap; the system clock by default. */
  clock?: Clock;
  /** The silence that holds for an event (contract §8), by id: it is stored, and delivered nowhere. */
  silence?: (event: AuthwatchEvent) => string | undefined;
}

/**
 * The one way every event takes, read top to bottom in this file:
 *
 *   1. a producer hands a change in: `recordTransition` (the poll handler, after `transition`) or
 *      `recordEvent` (poll health, watcher.unauthorized/authorized, alerts — any new producer);
 *   2. filter: the durable sinks that want the event, from their filters and the in-memory 410
 *      state (`route`), with no store read;
 *   3. commit: the changes that arrived together go to the store in one transaction, each state with
 *      its event and one outbox row per durable sink;
 *   4. fan out, only once committed and in order: the bus, the immediate sinks, and a wake-up of
 *      the delivery loop of each sink that got a row.
 */
export interface EventPipeline {
  /** A session's new stored state and, when its status changed, the event announcing it. */
  recordTransition(ref: SessionRef, state: SessionState, event: TransitionEvent | null): void;
  /**
   * Any other event — the one call an event producer makes. `sessionKey` is the session it is about
   * (null for none); an alert
   * event brings its rule's new progress, stored in the same transaction. Stored with its outbox rows, then fanned out, in order with everything else.
   */
  recordEvent(event: AuthwatchEvent, sessionKey: string | null, alertProgress?: AlertProgressChange): void;
  /** Commits everything queued now (shutdown, tests). */
  flush(): Promise<void>;
  /** False while changes wait because the store refused them. */
  healthy(): boolean;
  /** Cancels a pending retry timer (shutdown). */
  close(): void;
}

type Pending =
  | { kind: "transition"; ref: SessionRef; state: SessionState; event: TransitionEvent | null }
  | {
      kind: "event";
      event: AuthwatchEvent;
      sessionKey: string | null;
      alertProgress: AlertProgressChange | undefined;
    };

const MAX_RETRY_DELAY_MS = 30_000;
/** A commit of at least this many changes means a burst (a sweep): the next one waits for more … */
const BURST_BATCH = 8;
/**
 * … at most this long after the previous commit. Each commit rewrites the last, partly filled page of
 * every table and index it touches; a sweep's commits of a few hundred changes each write about half
 * the pages that commits of a few dozen do.
 */
const BURST_COMMIT_GAP_MS = 25;

/**
 * Group commit. Every change is stored before its event is fanned out, but the changes that arrive
 * within one turn of the event loop share one transaction: a sweep of thousands of first
 * observations costs a handful of commits, not thousands.
 *
 * A write the store refuses (disk full, file locked) is not dropped: the poll handler's in-memory state
 * has already moved on, so the next poll would see no change and the event would be lost. The
 * changes stay queued, in order, and are retried with backoff until the store takes them; /healthz
 * says 503 meanwhile. A crash before a commit loses nothing either: the stored state is the old one,
 * so the first poll after the restart sees the change again and emits it.
 */
export function createEventPipeline(deps: EventPipelineDeps): EventPipeline {
  const baseRetryMs = deps.retryDelayMs ?? 500;
  const clock = deps.clock ?? systemClock;
  let queue: Pending[] = [];
  let scheduled = false;
  let failures = 0;
  let retryTimer: (() => void) | undefined;
  let gapTimer: (() => void) | undefined;
  let lastCommitAt = Number.NEGATIVE_INFINITY;
  let lastBatch = 0;
  /** The commit under way: the store may answer later, and commits must not overlap. */
  let draining: Promise<void> | undefined;

  const { sinks, bus, logger } = deps;

  /**
   * 2. Filter: each change as the store takes it, with the outbox rows its event needs. A silenced
   * event (contract §8) is stored marked with its silence and gets no outbox row.
   */
  const toChange = (item: Pending): StoreChange => {
    const silencedBy = item.event ? deps.silence?.(item.event) : undefined;
    const deliverTo = item.event && silencedBy === undefined ? sinks.route(item.event) : [];
    return item.kind === "transition"
      ? { kind: "transition", ref: item.ref, state: item.state, event: item.event, deliverTo, silencedBy }
      : {
          kind: "event",
          event: item.event,
          sessionKey: item.sessionKey,
          deliverTo,
          silencedBy,
          alertProgress: item.alertProgress,
        };
  };

  /**
   * 4. Fan out what a commit stored, in order; a failing listener never stops the others. A silenced
   * event reaches only the history and the `stored` listeners (the /events stream), never a sink.
   */
  const fanOut = (changes: readonly StoreChange[]) => {
    const woken = new Set<string>();
    for (const change of changes) {
      const { event } = change;
      if (!event) continue;
      try {
        bus.emit("stored", event, change.silencedBy);
        if (change.silencedBy === undefined) bus.emit("event", event);
      } catch (error) {
        logger.error({ err: error, eventId: event.data.eventId }, "an event listener failed");
      }
      if (change.silencedBy !== undefined) continue;
      sinks.deliverNow(event);
      for (const sink of change.deliverTo) woken.add(sink);
    }
    for (const sink of woken) deps.wakeDelivery(sink);
  };

  const drainQueue = async (): Promise<void> => {
    while (queue.length > 0 && !retryTimer) {
      const batch = queue;
      queue = [];
      lastCommitAt = clock.monotonic();
      const changes = batch.map(toChange);
      try {
        // 3. Commit.
        await deps.store.commit(changes);
      } catch (error) {
        // Kept, in order, ahead of what arrived meanwhile.
        queue = batch.concat(queue);
        failures++;
        // No jitter: one writer per process, nothing to spread out.
        const delay = backoffDelay({
          attempt: failures,
          min: baseRetryMs,
          factor: 2,
          max: MAX_RETRY_DELAY_MS,
          jitter: 0,
          random: () => 0.5,
        });
        logger.error(
          { error: failureForLog(error), queued: queue.length, retryInMs: delay },
          "could not write state changes to the store; they are kept and retried",
        );
        retryTimer = clock.setTimer(() => {
          retryTimer = undefined;
          void flush();
        }, delay);
        return;
      }
      lastBatch = batch.length;
      if (failures > 0) {
        logger.info({ after: failures }, "the store accepts writes again");
        failures = 0;
      }
      fanOut(changes);
    }
  };

  const flush = (): Promise<void> => {
    scheduled = false;
    gapTimer?.();
    gapTimer = undefined;
    if (retryTimer) return Promise.resolve(); // a retry is already planned; keep the order
    draining ??= drainQueue().finally(() => {
      draining = undefined;
    });
    return draining;
  };

  const enqueue = (item: Pending) => {
    queue.push(item);
    if (!scheduled && !retryTimer) {
      scheduled = true;
      // A lone change commits on the next turn, as before; during a burst the next commit gathers
      // what arrives within the gap, trading a few ms of latency for far fewer page writes.
      const wait = lastBatch >= BURST_BATCH ? lastCommitAt + BURST_COMMIT_GAP_MS - clock.monotonic() : 0;
      if (wait > 0) gapTimer = clock.setTimer(flush, wait);
      else setImmediate(flush);
    }
  };

  return {
    recordTransition(ref, state, event) {
      enqueue({ kind: "transition", ref, state, event });
    },
    recordEvent(event, sessionKey, alertProgress) {
      enqueue({ kind: "event", event, sessionKey, alertProgress });
    },
    async flush() {
      retryTimer?.();
      retryTimer = undefined;
      await draining;
      await flush();
    },
    healthy: () => failures === 0,
    close() {
      retryTimer?.();
      retryTimer = undefined;
      gapTimer?.();
      gapTimer = undefined;
    },
  };
}
