/**
 * Durations in the watchlist and on the command line: "500ms", "10s", "5m", "1h", "1d", compounds
 * of them from the largest unit down ("1m30s", "1h30m", "2d12h"), or integer milliseconds.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNIT_ORDER = Object.keys(UNIT_MS) as Unit[];
/** One amount and its unit; "ms" before "m" and "s", so "1ms" is not read as "1m" + "s". */
const PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;

export const DURATION_HINT =
  'a duration like "500ms", "10s", "1m30s", "5m", "1h", "1d" or integer milliseconds';

/** Milliseconds for a duration, or undefined when the value is not one. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 0 ? value : undefined;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let previous = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return undefined;
    const order = UNIT_ORDER.indexOf(match[2] as Unit);
    // Each unit once, largest first: "30s1m" and "1m1m" are more likely typos than intent.
    if (order <= previous) return undefined;
    previous = order;
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  return text === "" ? undefined : Math.round(total);
}

/** A short human form: 950ms, 12s, 3m 20s, 2h 5m, 3d 4h. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes}m ${seconds % 60}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}
