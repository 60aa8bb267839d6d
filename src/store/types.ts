import type { AuthwatchEvent } from "../events.js";
import type { ErrorInfo, SessionRef, SessionState } from "../types.js";

export type DeliveryStatus = "pending" | "delivered" | "dead" | "disabled";

/** One state change to persist; `event` is null when only a stored field (e.g. sessionType) changed. */
export interface TransitionRecord {
  ref: SessionRef;
  state: SessionState;
  event: AuthwatchEvent | null;
  /** Names of the durable sinks that must receive `event` (one pending outbox row each). */
  deliverTo: readonly string[];
}

/** A pending outbox row with the event it carries, as the delivery worker needs it. */
export interface DeliveryRow {
  id: number;
  eventSeq: number;
  eventId: string;
  sink: string;
  /** Null for events that belong to no session (watcher.unauthorized). */
  sessionKey: string | null;
  status: DeliveryStatus;
  /** Sink calls made so far, quick in-process retries included. */
  attempts: number;
  /** Times the row went back to the persisted retry schedule; drives the backoff step. */
  retries: number;
  /** Epoch ms. */
  nextAttemptAt: number;
  /** Epoch ms; the retry window is measured from here. */
  createdAt: number;
  lastError: ErrorInfo | null;
  event: AuthwatchEvent;
}

export interface RetryUpdate {
  /** Epoch ms. */
  nextAttemptAt: number;
  error: ErrorInfo;
  /** The new total of sink calls. */
  attempts: number;
}

export interface DeliverySummary {
  sink: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: ErrorInfo | null;
  /** Epoch ms, or null while not delivered. */
  deliveredAt: number | null;
}

export interface HistoryEntry {
  seq: number;
  eventId: string;
  sessionKey: string | null;
  type: string;
  /** Epoch ms of the event's `timestamp`. */
  timestamp: number;
  event: AuthwatchEvent;
  deliveries: DeliverySummary[];
}

export interface HistoryOptions {
  sessionKey?: string;
  /** The newest `limit` events (still returned oldest first); all when omitted. */
  limit?: number;
}

/** The outbox half of the store: all the delivery worker touches, so tests can fake it. */
export interface OutboxStore {
  /**
   * Pending rows of `sink` due at `now`, oldest first, at most one per session: only the oldest
   * pending row of each session qualifies, so a later event never overtakes an earlier one.
   */
  dueDeliveries(sink: string, now: number, limit: number): DeliveryRow[];
  /** When the earliest row that dueDeliveries could return becomes due; undefined when none is pending. */
  nextDueAt(sink: string): number | undefined;
  /** `attempts` is the new total of sink calls; one more than stored when omitted. */
  markDelivered(id: number, now: number, attempts?: number): void;
  markRetry(id: number, update: RetryUpdate): void;
  markDead(id: number, error: ErrorInfo, now: number, attempts?: number): void;
  disableSink(name: string, fingerprint: string, reason: string): void;
  /** True when the sink was disabled with this very fingerprint; a changed config re-enables it. */
  isSinkDisabled(name: string, fingerprint: string): boolean;
  /** Marks every pending row of the sink `disabled`; returns how many. */
  markSinkRowsDisabled(sink: string): number;
  /** Pending rows per sink. */
  outboxDepth(): Record<string, number>;
  /** Sinks that have pending rows. */
  pendingSinks(): string[];
}

export interface Store extends OutboxStore {
  readonly path: string;
  loadStates(): Map<string, SessionState>;
  /** State, event and its outbox rows in one transaction. */
  recordTransition(
    ref: SessionRef,
    state: SessionState,
    event: AuthwatchEvent | null,
    deliverTo: readonly string[],
  ): void;
  /**
   * Many changes in ONE transaction, hence one fsync: use it whenever several changes are ready at
   * once (e.g. the first observations at start-up), since synchronous=FULL costs an fsync per commit.
   */
  recordTransitions(batch: readonly TransitionRecord[]): void;
  /** A health event (poll_failing, poll_recovered, watcher.unauthorized) with its outbox rows. */
  recordEvent(event: AuthwatchEvent, sessionKey: string | null, deliverTo: readonly string[]): void;
  /**
   * Sessions whose last health event was poll_failing, so that after a restart the alert is closed
   * by a poll_recovered rather than opened a second time.
   */
  failingSessions(): Map<string, { error: ErrorInfo | null; failures: number }>;
  /**
   * Deletes events older than `before` (epoch ms) whose deliveries are all finished, with their
   * delivery rows, in small batches so the daemon's writes are never held up for long.
   */
  pruneHistory(before: number): number;
  /** Events oldest first (newest last), each with its deliveries per sink. */
  history(options?: HistoryOptions): HistoryEntry[];
  /** False when the last write failed or the store is closed. */
  isHealthy(): boolean;
  close(): void;
}
