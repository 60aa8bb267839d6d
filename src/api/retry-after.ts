/**
 * `Retry-After` (RFC 9110 §10.2.3) as a delay in ms from `nowMs`: either delay-seconds or an HTTP date.
 * Returns undefined when absent or unreadable, so callers fall back to their own backoff.
 * A date in the past or a negative number means "now" (0), not "never".
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
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
