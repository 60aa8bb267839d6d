import type { IntervalsMs, WatchedSession } from "../config/types.js";
import { backoffDelay } from "../util/backoff.js";
import { withJitter } from "../util/jitter.js";
import { nextCronTime } from "./cron-time.js";

/** 1 s, 2 s, 4 s … like p-retry's defaults; an hour bounds cron sessions whose next run is days away. */
export const POLL_BACKOFF = { min: 1_000, factor: 2, max: 3_600_000 } as const;

/** New sessions poll within this window, so 100,000 sessions added at once do not share a millisecond. */
export const FIRST_POLL_SPREAD_MS = 1_000;

/**
 * The interval for a status: its own key, else `default` (never-observed and future statuses too).
 * A switch rather than `intervals[status]`: a status such as "constructor" must not reach the prototype.
 */
export function intervalFor(intervals: IntervalsMs, status: string | undefined): number {
  switch (status) {
    case "PENDING":
      return intervals.PENDING;
    case "READY":
      return intervals.READY;
    case "EXPIRED":
      return intervals.EXPIRED;
    case "NOT_FOUND":
      return intervals.NOT_FOUND;
    default:
      return intervals.default;
  }
}

/**
 * When to poll after a successful poll at `now`: the next cron time strictly after `now` for a
 * session with a schedule (exact, no jitter: a schedule names the times the user wants), otherwise
 * `now` plus the status's interval ± jitter. A schedule that never fires falls back to the interval.
 *
 * `now` may be on the monotonic clock: `wallOffsetMs` (wall minus monotonic, right now) is what
 * turns it into the wall-clock time a cron expression is about, and the answer back.
 */
export function nextRegularTime(
  session: WatchedSession,
  status: string | undefined,
  now: number,
  random: () => number,
  wallOffsetMs = 0,
): number {
  if (session.schedule) {
    const next = nextCronTime(session.schedule.cron, session.schedule.timezone, now + wallOffsetMs);
    if (next !== undefined) return next - wallOffsetMs;
  }
  return now + withJitter(intervalFor(session.intervals, status), session.jitter, random);
}

/**
 * A newly watched session polls promptly — uniformly within the next second, or within its interval
 * when that is shorter — whatever its jitter or schedule: its state must be known before it can
 * change, and the spread keeps a large watchlist from firing in one burst.
 */
export function firstPollTime(
  session: WatchedSession,
  status: string | undefined,
  now: number,
  random: () => number,
): number {
  const window = Math.min(FIRST_POLL_SPREAD_MS, intervalFor(session.intervals, status));
  return now + Math.floor(random() * window);
}

/**
 * When to retry after the `failures`-th consecutive failure at `now`: exponential backoff ± jitter,
 * never later than the next regular poll, never sooner than the server's Retry-After.
 */
export function nextRetryTime(
  session: WatchedSession,
  status: string | undefined,
  failures: number,
  now: number,
  random: () => number,
  retryAfterMs: number | undefined,
  wallOffsetMs = 0,
): number {
  const backoff = backoffDelay({ ...POLL_BACKOFF, attempt: failures, jitter: session.jitter, random });
  const regular = nextRegularTime(session, status, now, random, wallOffsetMs);
  return Math.max(now + (retryAfterMs ?? 0), Math.min(now + backoff, regular));
}
