import type { AlertProgress } from "../alerts/evaluate-rule.js";
import type { Silence } from "../alerts/silence.js";
import type { AuthwatchEvent } from "../events.js";
import type { ErrorInfo, SessionRef, SessionState } from "../types.js";
import type { FailingProject } from "./failing-projects.js";
import type { SinkDeliveryState, StateStore, StatusChange, StoreChange } from "./state-store.js";

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
  /** What earlier attempts achieved, as the sink reported it (DeliveryContext.progress); null at first. */
  progress: string | null;
  event: AuthwatchEvent;
}

export interface RetryUpdate {
  /** Epoch ms. */
  nextAttemptAt: number;
  error: ErrorInfo;
  /** The new total of sink calls. */
  attempts: number;
  /** The sink's progress to hand to the next attempt; absent keeps the row's. */
  progress?: string;
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
  /** The silence that held when the event happened (it was delivered nowhere), or null. */
  silencedBy?: string | null;
}

export interface HistoryOptions {
  sessionKey?: string;
  /** The newest `limit` events (still returned oldest first); all when omitted. */
  limit?: number;
}

/** A stored event with its place in the history. */
export interface StoredEvent {
  seq: number;
  eventId: string;
  sessionKey: string | null;
  event: AuthwatchEvent;
}

/**
 * The SQLite store (store.ts): the StateStore with its answers synchronous, plus conveniences for
 * writers outside the daemon (tests, benchmark preparation) and the read-only commands.
 */
export interface SqliteStore extends StateStore {
  readonly path: string;
  loadSessions(): Map<string, SessionState>;
  failingSessions(): Map<string, { error: ErrorInfo | null; failures: number }>;
  failingProjects(): Map<string, FailingProject>;
  disabledSinks(): Map<string, string>;
  commit(changes: readonly StoreChange[]): void;
  eventsAfter(eventId: string | null, limit: number): StoredEvent[] | undefined;
  statusChangesSince(since: number, page: { afterSeq?: number; limit: number }): StatusChange[];
  sinkStates(): Record<string, SinkDeliveryState>;
  history(options?: HistoryOptions): HistoryEntry[];
  pruneHistory(before: number): number;
  dueDeliveries(sink: string, now: number, limit: number): DeliveryRow[];
  nextDueAt(sink: string): number | undefined;
  /** `partial`: what was refused for good along the way (mail recipients), kept as the last error. */
  markDelivered(id: number, now: number, attempts?: number, partial?: ErrorInfo): void;
  markRetry(id: number, update: RetryUpdate): void;
  markDead(id: number, error: ErrorInfo, now: number, attempts?: number): void;
  disableSink(name: string, fingerprint: string, reason: string): void;
  markSinkRowsDisabled(sink: string): number;
  outboxDepth(): Record<string, number>;
  pendingSinks(): string[];
  close(): void;
  /** One change: state, event and its outbox rows in one transaction. */
  recordTransition(
    ref: SessionRef,
    state: SessionState,
    event: AuthwatchEvent | null,
    deliverTo: readonly string[],
  ): void;
  /** Many changes in ONE transaction. */
  recordTransitions(batch: readonly TransitionRecord[]): void;
  /** A health event (poll_failing, poll_recovered, watcher.unauthorized) with its outbox rows. */
  recordEvent(event: AuthwatchEvent, sessionKey: string | null, deliverTo: readonly string[]): void;
  /** True when the sink was disabled with this very fingerprint; a changed config re-enables it. */
  isSinkDisabled(name: string, fingerprint: string): boolean;
  loadAlertProgress(): Map<string, AlertProgress>;
  currentSilences(now: number): Silence[];
  /** `authwatch silence add`: works whether or not the daemon runs (it re-reads silences every few seconds). */
  addSilence(silence: Silence): void;
  /** False when there is no such silence, or it already ended or was removed. */
  removeSilence(id: string, now: number): boolean;
}
