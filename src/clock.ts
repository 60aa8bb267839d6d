/**
 * Time as a dependency. Scheduling, backoff and waiting take a Clock so tests can drive
 * time by hand (test/helpers/manual-clock.ts) while production uses the real one.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `callback` once after `ms`; the returned function cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
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
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  setTimer(callback, ms) {
    // Node caps timers at 2^31-1 ms; a longer wait would fire immediately.
    const timer = setTimeout(callback, Math.min(Math.max(0, ms), 2_147_483_647));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};
