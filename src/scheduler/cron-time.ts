import { CronTime } from "cron";

/**
 * Parsed expressions by timezone and expression. Sessions often share a schedule, and parsing per
 * poll or holding a CronTime per session would cost time or memory for nothing.
 */
const cache = new Map<string, CronTime | null>();
const CACHE_LIMIT = 1_000;

function cronTimeFor(cron: string, timezone: string | undefined): CronTime | null {
  const cacheKey = `${timezone ?? ""}\u0000${cron}`;
  let cronTime = cache.get(cacheKey);
  if (cronTime === undefined) {
    try {
      cronTime = new CronTime(cron, timezone ?? null);
    } catch {
      cronTime = null;
    }
    // Reloads can bring new schedules; a bound keeps a long-running daemon from growing forever.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(cacheKey, cronTime);
  }
  return cronTime;
}

/**
 * The first time strictly after `after` (epoch ms) that `cron` names in `timezone` (the system's
 * zone when undefined, as crontab does), or undefined when the expression or zone is invalid or
 * never matches (e.g. `0 0 30 2 *`).
 *
 * `getNextDateFrom` is used rather than `sendAt`, which reads the real time instead of our Clock.
 * Across DST it follows the cron package: a wall time skipped by spring-forward fires at the end of
 * the gap (`30 2 * * *` in Europe/Berlin → 03:00 CEST), and a repeated wall time fires once.
 */
export function nextCronTime(cron: string, timezone: string | undefined, after: number): number | undefined {
  const cronTime = cronTimeFor(cron, timezone);
  if (!cronTime) return undefined;
  let from = after;
  // The package works on whole seconds and adjusts DST edges afterwards; loop until the answer
  // really lies after `after` rather than trusting it blindly. Two rounds suffice in practice.
  for (let round = 0; round < 4; round++) {
    let next: number;
    try {
      next = cronTime.getNextDateFrom(new Date(from), timezone).toMillis();
    } catch {
      return undefined;
    }
    if (!Number.isFinite(next)) return undefined;
    if (next > after) return next;
    from = Math.max(next, from) + 1_000;
  }
  return undefined;
}
