import type { WatchedSession } from "../config/types.js";
import type { FifoQueue } from "./fifo-queue.js";
import type { KeyGate } from "./key-gate.js";

/** In the heap, waiting for its due time. */
export const IDLE = 0;
/** Due, in its API key's queue, waiting for concurrency, budget or the end of a key pause. */
export const QUEUED = 1;
export const IN_FLIGHT = 2;
export type RecordState = typeof IDLE | typeof QUEUED | typeof IN_FLIGHT;

/** Sessions that share an API key share its gate and wait in its queue, in due order. */
export interface KeyQueue {
  name: string;
  gate: KeyGate;
  waiting: FifoQueue<SessionRecord>;
}

/**
 * The scheduler's bookkeeping for one session: a plain object of one fixed shape with no closures,
 * so 100,000 of them cost a few megabytes.
 */
export interface SessionRecord {
  session: WatchedSession;
  status: string | undefined;
  keyQueue: KeyQueue;
  dueAt: number;
  /**
   * The seq of this session's live heap entry. Seqs are unique, so it doubles as the session's
   * generation: an entry whose seq differs is stale and is dropped when it surfaces (lazy deletion).
   */
  seq: number;
  failures: number;
  state: RecordState;
  /** Removed while in flight: kept only until the poll finishes, so a re-add cannot overlap it. */
  removed: boolean;
  /** upsert({dueAt}) during a poll: `dueAt` holds the caller's time for the finish to use. */
  dueAtPinned: boolean;
}

/**
 * The key a session's budget and pauses belong to: its API key's source (`env INTUNED_API_KEY`, …).
 * WatchedSession carries no baseUrl (one API per daemon), and the source names the key without the
 * secret; two sources holding the same key get separate budgets.
 */
export function keyOf(session: WatchedSession): string {
  return session.apiKey?.source ?? "default";
}

/** Whether two versions of a session poll on the same timetable. */
export function sameTiming(a: WatchedSession, b: WatchedSession): boolean {
  const x = a.intervals;
  const y = b.intervals;
  return (
    x.PENDING === y.PENDING &&
    x.READY === y.READY &&
    x.EXPIRED === y.EXPIRED &&
    x.NOT_FOUND === y.NOT_FOUND &&
    x.default === y.default &&
    a.jitter === b.jitter &&
    a.schedule?.cron === b.schedule?.cron &&
    a.schedule?.timezone === b.schedule?.timezone
  );
}
