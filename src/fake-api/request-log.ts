import type { FakeApiStats, RequestLogEntry } from "./types.js";

interface Waiter {
  match: (entry: RequestLogEntry) => boolean;
  resolve: (entry: RequestLogEntry) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface RequestLog {
  /** False when nothing would read an entry: the hot path then skips building one. */
  wanted(): boolean;
  record(entry: RequestLogEntry): void;
  count(status: RequestLogEntry["status"]): void;
  entries(): RequestLogEntry[];
  stats(): FakeApiStats;
  waitFor(match: (entry: RequestLogEntry) => boolean, timeoutMs: number): Promise<RequestLogEntry>;
  close(): void;
}

/** A capped log, status counters and one-shot waiters, for tests to see what the fake was asked. */
export function createRequestLog(limit: number): RequestLog {
  let entries: RequestLogEntry[] = [];
  let requests = 0;
  const byStatus: Record<string, number> = {};
  const waiters = new Set<Waiter>();

  return {
    wanted: () => limit > 0 || waiters.size > 0,
    record(entry) {
      if (limit > 0) {
        entries.push(entry);
        // Trimming in halves keeps appends O(1) amortised.
        if (entries.length >= limit * 2) entries = entries.slice(-limit);
      }
      for (const waiter of waiters) {
        if (!waiter.match(entry)) continue;
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(entry);
      }
    },
    count(status) {
      requests += 1;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    },
    entries: () => entries.slice(-limit),
    stats: () => ({ requests, byStatus: { ...byStatus } }),
    waitFor(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          match,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`fake Intuned API: no matching request within ${timeoutMs}ms`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    close() {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error("fake Intuned API closed"));
      }
      waiters.clear();
    },
  };
}
