/**
 * Time as a dependency. Scheduling, backoff and waiting take a Clock so tests can drive
 * time by hand (test/helpers/manual-clock.ts) while production uses the real one.
 *
 * Two readings, because the wall clock steps (NTP, a VM resumed, an operator's `date -s`) and
 * in-process timing must not: `now()` is for times that are stored or shown (event timestamps,
 * `since`, a signature's timestamp, an HTTP date), `monotonic()` for everything measured or
 * scheduled inside the process (poll due times, backoff, delivery retry waits, retry windows,
 * deadlines). Timers themselves (`setTimer`, `sleep`) already run on the monotonic clock.
 */
export interface Clock {
  /** Wall-clock epoch milliseconds: for what is stored or shown. May step back or forward. */
  now(): number;
  /**
   * Milliseconds on a clock that never steps, anchored so that it reads the wall clock of the
   * moment the process started (so values stay comparable with stored times across a restart, to
   * within the steps that happened while the previous process ran). For in-process timing only.
   */
  monotonic(): number;
  /** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `callback` once after `ms`; the returned function cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

/** Node fires a longer timer at once (2^31-1 ms, ~24.8 days): every computed delay is clamped to this. */
const TIMER_LIMIT_MS = 2_147_483_647;

/**
 * How far the wall clock has stepped from the monotonic one since the process started (wall minus
 * monotonic), to the nearest second: 0 until a real step, so conversions are exact in the common
 * case instead of off by the sub-millisecond noise between the two readings.
 */
export function wallStep(clock: Clock): number {
  return Math.round((clock.now() - clock.monotonic()) / 1_000) * 1_000;
}

/** A wall-clock time (stored, or from a caller) in the monotonic frame of `clock`. */
export function wallToMonotonic(clock: Clock, wallMs: number): number {
  return wallMs - wallStep(clock);
}

/** A monotonic time of `clock` as wall-clock time, for what is stored or shown. */
export function monotonicToWall(clock: Clock, monotonicMs: number): number {
  return monotonicMs + wallStep(clock);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // performance.now() runs on the OS monotonic clock; timeOrigin is the wall clock at process start.
  monotonic: () => performance.timeOrigin + performance.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.min(Math.max(0, ms), TIMER_LIMIT_MS),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  setTimer(callback, ms) {
    const timer = setTimeout(callback, Math.min(Math.max(0, ms), TIMER_LIMIT_MS));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};
