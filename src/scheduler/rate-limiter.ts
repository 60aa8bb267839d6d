/**
 * A token bucket with capacity `max(1, rate)` that refills at `rate` tokens per second, kept as the
 * Generic Cell Rate Algorithm: a single "theoretical arrival time" instead of a token count and a
 * refill timestamp, which gives exact spacing (5/s → one start every 200 ms once the burst is spent)
 * without floating drift. A non-finite rate means no limit.
 */
export interface RateLimiter {
  /** The earliest time (epoch ms, possibly fractional) at which `tryTake` succeeds; `now` if already. */
  availableAt(now: number): number;
  /** Takes one token when available; false leaves the bucket untouched. */
  tryTake(now: number): boolean;
}

const EPSILON_MS = 1e-6;

export function createRateLimiter(ratePerSecond: number): RateLimiter {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
  if (!Number.isFinite(ratePerSecond)) return { availableAt: (now) => now, tryTake: () => true };
  const emissionMs = 1_000 / ratePerSecond;
  const toleranceMs = (Math.max(1, ratePerSecond) - 1) * emissionMs;
  let theoreticalArrival = Number.NEGATIVE_INFINITY;

  const availableAt = (now: number) => {
    const at = theoreticalArrival - toleranceMs;
    // Sums of 1000/3 land a hair past the whole millisecond they mean; that must not cost a wake-up.
    return at <= now + EPSILON_MS ? now : at;
  };
  return {
    availableAt,
    tryTake(now) {
      if (availableAt(now) > now) return false;
      theoreticalArrival = Math.max(theoreticalArrival, now) + emissionMs;
      return true;
    },
  };
}
