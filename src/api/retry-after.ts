/**
 * `Retry-After` (RFC 9110 §10.2.3) as a delay in ms from `nowMs`: either delay-seconds or an HTTP date.
 * Returns undefined when absent or unreadable, so callers fall back to their own backoff.
 * A date in the past or a negative number means "now" (0), not "never". `maxMs` caps what a server
 * may ask for: the Intuned API's pauses are capped at MAX_API_PAUSE_MS, as Intuned's own SDK does.
 */
export function parseRetryAfter(
  header: string | string[] | undefined,
  nowMs: number,
  maxMs = Number.POSITIVE_INFINITY,
): number | undefined {
  const ms = readRetryAfter(header, nowMs);
  return ms === undefined ? undefined : Math.min(ms, maxMs);
}

/**
 * The longest pause the Intuned API can impose on a key with `Retry-After` (seconds or a date):
 * one absurd answer (`Retry-After: 1000000000`, a date in 2100) must not silence a key for decades.
 */
export const MAX_API_PAUSE_MS = 60_000;

function readRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (value === "") return undefined;
  // Seconds; fractions and signs are not in the grammar but cost nothing to read leniently.
  if (/^[+-]?\d+(\.\d+)?$/.test(value)) {
    const ms = Math.round(Number(value) * 1000);
    return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
  }
  // Only strings with letters are dates: Date.parse would also accept "2026" or "1.5.7".
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
