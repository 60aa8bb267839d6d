import type { WatchedSession } from "../../src/config/types.js";
import { createScheduler, type PollReport, type Scheduler } from "../../src/scheduler/scheduler.js";
import { sessionKey } from "../../src/types.js";
import { createManualClock, type ManualClock } from "../helpers/manual-clock.js";

export const KEY_A = "env INTUNED_API_KEY";
export const KEY_B = "env INTUNED_API_KEY_BILLING";

/** A watched session with fixed intervals and no jitter unless overridden. */
export function makeSession(id: string, overrides: Partial<WatchedSession> = {}): WatchedSession {
  const ref = { workspaceId: "123e4567-e89b-12d3-a456-426614174000", projectName: "proj", authSessionId: id };
  return {
    ...ref,
    key: sessionKey(ref),
    labels: {},
    apiKey: { source: KEY_A, value: "secret-a" },
    intervals: { PENDING: 10_000, READY: 60_000, EXPIRED: 300_000, NOT_FOUND: 300_000, default: 120_000 },
    jitter: 0,
    failureThreshold: 3,
    schedule: undefined,
    ...overrides,
  };
}

export interface PollRecord {
  id: string;
  startedAt: number;
  finishedAt: number | undefined;
}

export interface Harness {
  clock: ManualClock;
  scheduler: Scheduler;
  /** Every poll in start order. */
  polls: PollRecord[];
  startsOf(id: string): number[];
  maxInFlight(): number;
}

export interface HarnessOptions {
  concurrency?: number;
  maxRequestsPerSecond?: number;
  random?: () => number;
  onLate?: (lateMs: number) => void;
  /** How long a poll takes (ms of manual time); 0 resolves at once. */
  durationMs?: (id: string) => number;
  /** What the n-th poll (0-based) of a session reports; default READY. */
  respond?: (id: string, n: number) => PollReport;
  /** Rejects when the signal aborts, like a real request would. */
  honourAbort?: boolean;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const clock = createManualClock();
  const polls: PollRecord[] = [];
  const counts = new Map<string, number>();
  let current = 0;
  let max = 0;

  const scheduler = createScheduler({
    clock,
    concurrency: options.concurrency ?? 100,
    maxRequestsPerSecond: options.maxRequestsPerSecond ?? 1_000,
    random: options.random ?? (() => 0.5),
    onLate: options.onLate,
    async poll(session, signal) {
      const id = session.authSessionId;
      const n = counts.get(id) ?? 0;
      counts.set(id, n + 1);
      const record: PollRecord = { id, startedAt: clock.now(), finishedAt: undefined };
      polls.push(record);
      current++;
      max = Math.max(max, current);
      try {
        const duration = options.durationMs?.(id) ?? 0;
        if (duration > 0) await clock.sleep(duration, options.honourAbort ? signal : undefined);
        return options.respond?.(id, n) ?? { kind: "ok", status: "READY" };
      } finally {
        current--;
        record.finishedAt = clock.now();
      }
    },
  });

  return {
    clock,
    scheduler,
    polls,
    startsOf: (id) => polls.filter((poll) => poll.id === id).map((poll) => poll.startedAt),
    maxInFlight: () => max,
  };
}

/** Differences between consecutive values. */
export function gaps(values: number[]): number[] {
  return values.slice(1).map((value, index) => value - values[index]!);
}
