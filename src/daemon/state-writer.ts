import { type Clock, systemClock } from "../clock.js";
import type { AuthwatchEvent, TransitionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { StateStore, StoreChange } from "../store/state-store.js";
import type { SessionRef, SessionState } from "../types.js";
import { backoffDelay } from "../util/backoff.js";

export interface StateWriterDeps {
  store: StateStore;
  logger: Logger;
  /** Durable sinks that want the event: their outbox rows are written in the same transaction. */
  route(event: AuthwatchEvent): string[];
  /** Called for each event after it is committed, in order. */
  publish(event: AuthwatchEvent): void;
  /** After a failed write, the first retry waits this long, doubling up to 30 s. */
  retryDelayMs?: number;
  /** Retry waits and the burst gap; the system clock by default. */
  clock?: Clock;
}

export interface StateWriter {
  recordTransition(ref: SessionRef, state: SessionState, event: TransitionEvent | null): void;
  /** A health event (poll_failing, poll_recovered, watcher.unauthorized), kept in order with the changes. */
  recordEvent(event: AuthwatchEvent, sessionKey: string | null): void;
  /** Commits everything queued now (shutdown, tests). */
  flush(): Promise<void>;
  /** False while changes wait because the store refused them. */
  healthy(): boolean;
  /** Cancels a pending retry timer (shutdown). */
  close(): void;
}

type Pending =
  | { kind: "transition"; ref: SessionRef; state: SessionState; event: TransitionEvent | null }
  | { kind: "event"; event: AuthwatchEvent; sessionKey: string | null };

const MAX_RETRY_DELAY_MS = 30_000;
/** A commit of at least this many changes means a burst (a sweep): the next one waits for more … */
const BURST_BATCH = 8;
/** … at most this long after the previous commit, so a sweep costs one fsync per 10 ms, not per turn. */
const BURST_COMMIT_GAP_MS = 10;

/**
 * Group commit. Every change is durable before its event is published, but the changes that arrive
 * within one turn of the event loop share one transaction and so one fsync: a sweep of thousands of
 * first observations costs a handful of fsyncs, not thousands.
 *
 * A write the store refuses (disk full, file locked) is not dropped: the poll handler's in-memory state
 * has already moved on, so the next poll would see no change and the event would be lost. The
 * changes stay queued, in order, and are retried with backoff until the store takes them; /healthz
 * says 503 meanwhile. A crash before a commit loses nothing either: the stored state is the old one,
 * so the first poll after the restart sees the change again and emits it.
 */
export function createStateWriter(deps: StateWriterDeps): StateWriter {
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

  const publishAll = (events: AuthwatchEvent[]) => {
    for (const event of events) {
      try {
        deps.publish(event);
      } catch (error) {
        deps.logger.error({ err: error, eventId: event.data.eventId }, "publishing an event failed");
      }
    }
  };

  const toChange = (item: Pending): StoreChange =>
    item.kind === "transition"
      ? {
          kind: "transition",
          ref: item.ref,
          state: item.state,
          event: item.event,
          deliverTo: item.event ? deps.route(item.event) : [],
        }
      : { kind: "event", event: item.event, sessionKey: item.sessionKey, deliverTo: deps.route(item.event) };

  const drainQueue = async (): Promise<void> => {
    while (queue.length > 0 && !retryTimer) {
      const batch = queue;
      queue = [];
      lastCommitAt = clock.monotonic();
      try {
        await deps.store.commit(batch.map(toChange));
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
        deps.logger.error(
          { err: error, queued: queue.length, retryInMs: delay },
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
        deps.logger.info({ after: failures }, "the store accepts writes again");
        failures = 0;
      }
      publishAll(batch.flatMap((item) => (item.event ? [item.event] : [])));
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
      // what arrives within the gap, trading a few ms of latency for far fewer fsyncs.
      const wait = lastBatch >= BURST_BATCH ? lastCommitAt + BURST_COMMIT_GAP_MS - clock.monotonic() : 0;
      if (wait > 0) gapTimer = clock.setTimer(flush, wait);
      else setImmediate(flush);
    }
  };

  return {
    recordTransition(ref, state, event) {
      enqueue({ kind: "transition", ref, state, event });
    },
    recordEvent(event, sessionKey) {
      enqueue({ kind: "event", event, sessionKey });
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
