import type { Clock } from "../../src/clock.js";

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when a test calls advance(): timers fire in due order, synchronously.
 * `advance` moves both readings; `set` and `stepWall` move only the wall clock, as an NTP step or a
 * resumed VM does, so tests can check that in-process timing does not follow it.
 */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  /** Sets the wall clock (only); timers and the monotonic reading are unaffected. */
  set(now: number): void;
  /** Steps the wall clock (only) by `ms`, forward or back. */
  stepWall(ms: number): void;
  pendingTimers(): number;
}

export function createManualClock(start = Date.UTC(2026, 10, 25, 12, 0, 0)): ManualClock {
  // Both readings start equal, like the system clock's at process start.
  let mono = start;
  let wallOffset = 0;
  let seq = 0;
  const timers = new Set<Timer>();

  const setTimer = (callback: () => void, ms: number) => {
    const timer: Timer = { at: mono + Math.max(0, ms), seq: seq++, callback };
    timers.add(timer);
    return () => {
      timers.delete(timer);
    };
  };

  return {
    now: () => mono + wallOffset,
    monotonic: () => mono,
    set(value) {
      wallOffset = value - mono;
    },
    stepWall(ms) {
      wallOffset += ms;
    },
    pendingTimers: () => timers.size,
    setTimer,
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const cancel = setTimer(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        const onAbort = () => {
          cancel();
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    async advance(ms) {
      const target = mono + ms;
      for (;;) {
        // Let promise chains started by earlier timers schedule their next timers first.
        await flushMicrotasks();
        let next: Timer | undefined;
        for (const timer of timers) {
          if (
            timer.at <= target &&
            (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))
          ) {
            next = timer;
          }
        }
        if (!next) break;
        timers.delete(next);
        mono = Math.max(mono, next.at);
        next.callback();
      }
      mono = target;
      await flushMicrotasks();
    },
  };
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
