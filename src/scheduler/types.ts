import type { Clock } from "../clock.js";
import type { WatchedSession } from "../config/types.js";

/** A pause for every poll that uses one API key. */
export interface KeyPause {
  reason: "rate_limited" | "unauthorized";
  ms: number;
}

/** What the caller's poll tells the scheduler; it decides the session's next time from this alone. */
export type PollReport =
  | { kind: "ok"; status: string }
  | {
      kind: "failed";
      /** The server's Retry-After: this session is not polled again sooner. */
      retryAfterMs?: number | undefined;
      /** Holds back every session that uses the same key (429 Retry-After, 401/403). */
      keyPause?: KeyPause | undefined;
    };

export interface SchedulerOptions {
  clock: Clock;
  /** Polls in flight at once, all keys together. */
  concurrency: number;
  /** Request budget per API key: a token bucket refilling at this rate, burst the same size. */
  maxRequestsPerSecond: number;
  /** [0, 1) like Math.random (the default); drives jitter and the first-poll spread. */
  random?: (() => number) | undefined;
  /**
   * Polls one session. A rejection counts as a failed poll without Retry-After. The signal aborts
   * only through `abortInFlight()`.
   */
  poll: (session: WatchedSession, signal: AbortSignal) => Promise<PollReport>;
  /** Called at every start with how long after its due time the poll started (0 when on time). */
  onLate?: ((lateMs: number) => void) | undefined;
}

export interface UpsertOptions {
  /** Poll at this time (epoch ms) instead of the computed one, e.g. a time restored from a previous run. */
  dueAt?: number | undefined;
}

export interface SchedulerStats {
  /** Watched sessions. */
  sessions: number;
  inFlight: number;
  /** Due sessions waiting for concurrency, budget or a key pause. */
  waiting: number;
  /** Heap entries, including stale ones not yet discarded. */
  heapEntries: number;
  started: number;
  succeeded: number;
  failed: number;
  /** Key sources paused right now. */
  pausedKeys: string[];
}

export interface Scheduler {
  /**
   * Adds a session, or updates one with the same `key` (a reload). `status` is its last known state
   * (undefined when never observed) and picks the interval until a poll reports one.
   */
  upsert(session: WatchedSession, status: string | undefined, options?: UpsertOptions): void;
  /** Stops polling a session; a poll in flight finishes but is not rescheduled. */
  remove(key: string): void;
  start(): void;
  /** Stops starting polls; resolves once the polls in flight have finished. */
  stop(): Promise<void>;
  /** Aborts the signals of the polls in flight (the caller bounds its wait on stop()). */
  abortInFlight(): void;
  size(): number;
  inFlight(): number;
  /** Epoch ms of a session's next poll (in the past while it waits); undefined while in flight. */
  nextDueAt(key: string): number | undefined;
  /** Pauses every poll that uses this key source until `untilMs`; a longer pause already set stays. */
  pauseKey(keySource: string, untilMs: number): void;
  /** Lifts a key source's pause now (a rotated key need not wait out the pause its old value earned). */
  resumeKey(keySource: string): void;
  stats(): SchedulerStats;
  /** The keys paused right now: until when (epoch ms) and why; the key itself never appears, only its source. */
  keyPauses(): { keySource: string; until: number; reason: KeyPause["reason"] }[];
}
