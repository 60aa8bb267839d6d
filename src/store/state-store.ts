import type { AlertProgress } from "../alerts/evaluate-rule.js";
import type { Silence } from "../alerts/silence.js";
import type { AuthwatchEvent } from "../events.js";
import type { ErrorInfo, SessionRef, SessionState } from "../types.js";
import type { AlertProgressChange } from "./alert-tables.js";
import type { FailingProject } from "./failing-projects.js";
import type { DeliveryRow, HistoryEntry, HistoryOptions, RetryUpdate, StoredEvent } from "./types.js";

/**
 * A result now (SQLite answers synchronously) or later (PostgreSQL). Callers always `await` it; an
 * implementation that can answer at once returns the value itself, so the SQLite path pays no promise
 * per row — only one microtask per call, and the hot calls (commit, due deliveries) are made once per
 * group, not once per event.
 */
export type Awaitable<T> = T | Promise<T>;

/** One thing to store in a commit. A commit stores all of its changes, in order, or none of them. */
export type StoreChange =
  | {
      kind: "transition";
      ref: SessionRef;
      /** The session's new stored state. */
      state: SessionState;
      /** Null when only a stored field (e.g. sessionType) changed. */
      event: AuthwatchEvent | null;
      /** Durable sinks that must receive `event`: one pending outbox row each. */
      deliverTo: readonly string[];
      /** The silence that holds for `event`: stored marked with it, delivered nowhere. */
      silencedBy?: string | undefined;
    }
  | {
      /** An event that changes no session state: poll health, watcher.unauthorized, alerts. */
      kind: "event";
      event: AuthwatchEvent;
      /** The session it is about; null for events about no session (watcher.unauthorized). */
      sessionKey: string | null;
      deliverTo: readonly string[];
      silencedBy?: string | undefined;
      /** An overdue rule's progress, stored with the alert event it goes with (or deleted on resolution). */
      alertProgress?: AlertProgressChange | undefined;
    };

/** The outbox half of the store: all the delivery worker touches. */
export interface OutboxStore {
  /**
   * Pending rows of `sink` due at `now`, oldest first, at most one per session: only the oldest
   * pending row of each session qualifies, so a later event never overtakes an earlier one.
   */
  dueDeliveries(sink: string, now: number, limit: number): Awaitable<DeliveryRow[]>;
  /** When the earliest row that dueDeliveries could return becomes due; undefined when none is pending. */
  nextDueAt(sink: string): Awaitable<number | undefined>;
  /** Settles a row as sent. `attempts` is the new total of sink calls; one more than stored when omitted. */
  markDelivered(id: number, now: number, attempts?: number, partial?: ErrorInfo): Awaitable<void>;
  /** Puts a row back on the persisted retry schedule (a row no longer pending is left as it is). */
  markRetry(id: number, update: RetryUpdate): Awaitable<void>;
  /** Settles a row as dead-lettered (a row no longer pending is left as it is). */
  markDead(id: number, error: ErrorInfo, now: number, attempts?: number): Awaitable<void>;
  /** Remembers that the receiver of this sink config answered 410; survives restarts. */
  disableSink(name: string, fingerprint: string, reason: string): Awaitable<void>;
  /** Marks every pending row of the sink `disabled`; returns how many. */
  markSinkRowsDisabled(sink: string): Awaitable<number>;
  /** Pending rows per sink. */
  outboxDepth(): Awaitable<Record<string, number>>;
  /** Sinks that have pending rows. */
  pendingSinks(): Awaitable<string[]>;
}

/** One transition from the history, for timelines. */
export interface StatusChange {
  /** Its place in the history: the next page starts after it. */
  seq: number;
  sessionKey: string;
  /** Epoch ms of the event. */
  at: number;
  from: string | null;
  to: string;
}

/** A sink's deliveries that are not delivered, by status, and why it is disabled (HTTP 410), if it is. */
export interface SinkDeliveryState {
  pending: number;
  dead: number;
  disabled: number;
  disabledReason: string | null;
}

/**
 * Where the daemon keeps its state: the one interface it depends on. SQLite (store.ts) for one
 * machine; another implementation (PostgreSQL) can stand behind it without the daemon noticing.
 *
 * The contract every implementation keeps:
 * - `commit` is atomic, and durable against a crash of the process when it settles: a change's
 *   state, its event and the event's outbox rows are stored together or not at all, and the daemon
 *   fans an event out only after its commit settled (at-least-once delivery; a restart emits nothing
 *   twice). How much a power loss may take back is each implementation's to say (SQLite: about a
 *   second, see wal-sync.ts).
 * - A failed write throws (or rejects); the daemon keeps the changes and retries them in order.
 * - Event ids are unique: storing an eventId twice fails the commit.
 */
export interface StateStore extends OutboxStore {
  /** Where the state lives, fit for a log line (a file path; a database URL without its password). */
  readonly location: string;
  /** The last stored state of every session, by session key. */
  loadSessions(): Awaitable<Map<string, SessionState>>;
  /**
   * Sessions whose last health event was poll_failing, so that after a restart the alert is closed
   * by a poll_recovered rather than opened a second time.
   */
  failingSessions(): Awaitable<Map<string, { error: ErrorInfo | null; failures: number }>>;
  /** Sinks disabled by HTTP 410: name → fingerprint of the config that was refused. Read once at start. */
  disabledSinks(): Awaitable<Map<string, string>>;
  /** Stores a group of changes in one transaction (see above); changes are applied in order. */
  commit(changes: readonly StoreChange[]): Awaitable<void>;
  /**
   * Stored events after the one with `eventId`, oldest first, at most `limit` (for `/events` after a
   * reconnect). Null `eventId`: from the first stored event. Undefined when `eventId` is unknown
   * (never stored, or pruned), so the caller can say so rather than resend everything.
   */
  eventsAfter(eventId: string | null, limit: number): Awaitable<StoredEvent[] | undefined>;
  /** Events oldest first (newest last), each with its deliveries per sink. */
  history(options?: HistoryOptions): Awaitable<HistoryEntry[]>;
  /**
   * Deletes events older than `before` (epoch ms) whose deliveries are all finished, with their
   * delivery rows, in small batches so the daemon's writes are never held up for long.
   */
  pruneHistory(before: number): Awaitable<number>;
  /**
   * Overdue rules' progress (contract §8), by alertProgressKey(rule, sessionKey): with the sessions'
   * `since`, the basis of every alert timer. A store without it cannot run alert rules.
   */
  loadAlertProgress?(): Awaitable<Map<string, AlertProgress>>;
  /**
   * API keys (by source) whose last key event was watcher.unauthorized, so that after a restart the
   * key's recovery is announced by watcher.authorized.
   */
  refusedKeys(): Awaitable<Set<string>>;
  /**
   * Projects (by projectKey) whose last list-health event was project.poll_failing, so that after a
   * restart the alert is closed by project.poll_recovered rather than opened a second time.
   */
  failingProjects(): Awaitable<Map<string, FailingProject>>;
  /** Silences not removed and not yet ended at `now` (future ones included). */
  currentSilences?(now: number): Awaitable<Silence[]>;
  /** False when the last write failed or the store is closed. */
  isHealthy(): boolean;
  close(): Awaitable<void>;
  /**
   * For the status page: up to `limit` transitions at or after `since` (epoch ms) and after `afterSeq`,
   * oldest first. Optional: without it the page's timelines start with what the daemon saw since it started.
   */
  statusChangesSince?(since: number, page: { afterSeq?: number; limit: number }): Awaitable<StatusChange[]>;
  /** For the status page: per sink with any, its undelivered rows and disabled state. Optional. */
  sinkStates?(): Awaitable<Record<string, SinkDeliveryState>>;
}
