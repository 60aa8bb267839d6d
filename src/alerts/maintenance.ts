import type { MaintenanceWindow } from "../config/types.js";
import { nextCronTime } from "../scheduler/cron-time.js";
import type { Silence } from "./silence.js";

/** Bounds the walk over occurrences (a per-minute schedule with a 30-day window is the worst case). */
const MAX_STEPS = 50_000;
/** More than any DST shift: searches start this far before the earliest start that could matter. */
const DST_MARGIN_MS = 25 * 3_600_000;

/**
 * The occurrence of `window` that holds at `at`, as a silence, or undefined. An occurrence opens at
 * each time the cron expression names in the window's time zone (CronTime, so DST follows the cron
 * package: a start in the spring-forward gap opens at the end of the gap, a repeated hour opens once)
 * and lasts `durationMs` of real time. When occurrences overlap, the one that ends last is returned.
 */
export function activeOccurrence(window: MaintenanceWindow, at: number): Silence | undefined {
  let found: number | undefined;
  // Walk from a fixed distance before any fold of the clocks: where cron starts its search inside a
  // repeated hour decides which of the two wall times it returns, and the answer must not depend on `at`.
  let from = at - window.durationMs - DST_MARGIN_MS;
  for (let step = 0; step < MAX_STEPS; step++) {
    const start = nextCronTime(window.cron, window.timezone, from);
    if (start === undefined || start > at) break;
    found = start;
    from = start;
  }
  if (found === undefined || found + window.durationMs <= at) return undefined;
  return {
    id: `maintenance:${window.name}`,
    match: window.match ?? {},
    startsAt: found,
    endsAt: found + window.durationMs,
    reason: `maintenance window ${window.name}`,
    createdAt: found,
  };
}

/** The next time (strictly after `after`) an occurrence of `window` opens, or undefined. */
export function nextOccurrenceStart(window: MaintenanceWindow, after: number): number | undefined {
  return nextCronTime(window.cron, window.timezone, after);
}
