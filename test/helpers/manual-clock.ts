import type { Clock } from "../../src/clock.js";

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** A clock that moves only when a test calls advance(): timers fire in due order, synchronously. */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  set(now: number): void;
  pendingTimers(): number;
}

export function createManualClock(start = Date.UTC(2026, 10, 25, 12, 0, 0)): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Set<Timer>();

  const setTimer = (callback: () => void, ms: number) => {
    const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, callback };
    timers.add(timer);
    return () => {
      timers.delete(timer);
    };
  };

  return {
    now: () => now,
    set(value) {
      now = value;
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
      const target = now + ms;
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
        now = Math.max(now, next.at);
        next.callback();
      }
      now = target;
      await flushMicrotasks();
    },
  };
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
