import { DURATION_HINT, parseDuration } from "../duration.js";
import { UsageError } from "../errors/usage-error.js";

/** How `--help` describes a duration flag's value. */
export const DURATION_FLAG_HELP = "a duration with a unit: 500ms, 90s, 1m30s, 5m, 1h";

/**
 * A duration given on the command line. Unlike the watchlist (where a bare number is milliseconds,
 * as JSON tools write it), a flag needs a unit: someone who types `--timeout 600` almost certainly
 * means seconds, and 600 ms would fail their job in silence. Only "0" needs none.
 */
export function parseDurationFlag(flag: string, value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text) && Number(text) !== 0) {
    throw new UsageError(
      `${flag} "${value}" needs a unit: "${text}s" for seconds, or "${text}ms" for milliseconds`,
    );
  }
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(
      `${flag} "${value}" is not ${DURATION_HINT.replace(" or integer milliseconds", "")}`,
    );
  return ms;
}
