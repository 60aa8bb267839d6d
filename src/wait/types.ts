import type { Dispatcher } from "undici";
import type { Clock } from "../clock.js";
import type { Secret } from "../config/types.js";
import type { ErrorInfo, SessionRef, SessionStatus, SessionType } from "../types.js";

/** The statuses `wait --for` accepts: the spec's three and authwatch's own NOT_FOUND. */
export const WAIT_STATUSES = ["PENDING", "READY", "EXPIRED", "NOT_FOUND"] as const;
export type WaitStatus = (typeof WAIT_STATUSES)[number];

/** One session to wait for; `apiKey` overrides the options' key for this session only. */
export interface WaitTarget extends SessionRef {
  apiKey?: string | Secret;
}

export interface WaitForSessionOptions {
  /** One session or several; the wait succeeds when all of them have the status at once. */
  sessions: WaitTarget | readonly WaitTarget[];
  /** Key for every session without its own. */
  apiKey?: string | Secret;
  /** Default: the spec's server, https://app.intuned.io/api/v1/workspace. */
  baseUrl?: string;
  /** Default READY. */
  for?: WaitStatus;
  /** Default 5 minutes; 0 polls each session once. */
  timeoutMs?: number;
  /** Time between polls of a session. Default 5 s; the CLI enforces its 1 s minimum, the library does not. */
  intervalMs?: number;
  /** Fraction of the interval a poll may come early, to spread polls. Default 0.1. */
  jitter?: number;
  /** Per request; a request still running at the deadline is cut there. Default 10 s. */
  requestTimeoutMs?: number;
  /**
   * When waiting for READY, end at once on EXPIRED or NOT_FOUND (default true). Statuses other than
   * READY have no status that rules them out, so this only ever applies to READY.
   */
  failFast?: boolean;
  /** Undici dispatcher for every request (tests pass their own; default the shared pool). */
  dispatcher?: Dispatcher;
  /** Default the system clock. */
  clock?: Clock;
  /** Uniform in [0, 1) for jitter and retry backoff; default Math.random. */
  random?: () => number;
  /** Called after every finished poll, with a snapshot of that session. */
  onProgress?: (update: WaitProgress) => void;
}

export interface WaitRunOptions {
  /** Aborting ends the wait with reason "aborted"; an AuthwatchError reason lends its exit code. */
  signal?: AbortSignal;
}

/** What the wait knows of one session. A snapshot: later polls do not change it. */
export interface WaitSessionState extends SessionRef {
  /** The last status seen; null until a poll succeeds. */
  status: SessionStatus | null;
  sessionType: SessionType | null;
  /** Epoch ms when this status was first seen during this wait; null while `status` is. */
  since: number | null;
  /** Whether `status` is the awaited one. */
  reached: boolean;
  /** The error of the last poll when it failed; null when it succeeded. */
  lastError: ErrorInfo | null;
  /**
   * Finished polls, failed ones included. A request cut by the deadline counts only when it was the
   * session's first: it then stands as a TIMEOUT, so that the report never shows a session with no news.
   */
  polls: number;
  /** Epoch ms of the last finished poll. */
  lastPolledAt: number | null;
}

export interface WaitProgress {
  session: WaitSessionState;
  /** The status before this poll (null before the first success). */
  previousStatus: SessionStatus | null;
  /** Epoch ms. */
  at: number;
}

/** The outcome of a wait that reached its status, and what a WaitError carries otherwise. */
export interface WaitReport {
  for: WaitStatus;
  /** Epoch ms. */
  startedAt: number;
  elapsedMs: number;
  timeoutMs: number;
  sessions: WaitSessionState[];
}

export const WAIT_RESULTS = [
  "reached",
  "timeout",
  "api_failing",
  "ended_early",
  "unauthorized",
  "aborted",
] as const;
export type WaitResult = (typeof WAIT_RESULTS)[number];
export type WaitFailureReason = Exclude<WaitResult, "reached">;
