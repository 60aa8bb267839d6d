import type { Database } from "better-sqlite3";
import type { AuthwatchEvent } from "../events.js";
import type { ErrorInfo } from "../types.js";
import { decodeError } from "./error-column.js";
import { type FailingProject, failingProjectsOf } from "./failing-projects.js";
import { refusedKeysOf } from "./refused-keys.js";
import type { DeliveryStatus, DeliverySummary, HistoryEntry, HistoryOptions, StoredEvent } from "./types.js";

interface EventRow {
  seq: number;
  event_id: string;
  session_key: string | null;
  type: string;
  timestamp: number;
  body: string;
  silenced_by?: string | null;
}

interface DeliverySummaryRow {
  event_seq: number;
  sink: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  delivered_at: number | null;
}

export interface EventLog {
  /** Returns the event's sequence number. */
  insert(event: AuthwatchEvent, sessionKey: string | null, timestamp: number, silencedBy?: string): number;
  history(options: HistoryOptions): HistoryEntry[];
  /** Events after the one with `eventId` (all when null); undefined when that id is not stored. */
  after(eventId: string | null, limit: number): StoredEvent[] | undefined;
  /** Deletes up to `limit` events older than `before` with no pending delivery; returns how many. */
  prune(before: number, limit: number): number;
  /** Sessions whose last health event is poll_failing, with the error it carried. */
  failingSessions(): Map<string, { error: ErrorInfo | null; failures: number }>;
  /** Key sources whose last key event is watcher.unauthorized. */
  refusedKeys(): Set<string>;
  /** Projects (by projectKey) whose last list-health event is project.poll_failing. */
  failingProjects(): Map<string, FailingProject>;
}

/** SQLite's "no limit". */
const ALL = -1;

/** The append-only event history and its read side (the `history` command). */
export function createEventLog(db: Database): EventLog {
  // A file read by `history` before the daemon upgraded it (read-only: no migration) lacks the column.
  const silencedColumn = (db.pragma("table_info(events)") as Array<{ name: string }>).some(
    (column) => column.name === "silenced_by",
  )
    ? "silenced_by"
    : "NULL AS silenced_by";
  const insertPlain = db.prepare(
    "INSERT INTO events (event_id, session_key, type, timestamp, body) VALUES (?, ?, ?, ?, ?)",
  );
  const insertSilenced =
    silencedColumn === "silenced_by"
      ? db.prepare(
          "INSERT INTO events (event_id, session_key, type, timestamp, body, silenced_by) VALUES (?, ?, ?, ?, ?, ?)",
        )
      : undefined;
  // The newest `limit` events, turned back to oldest first.
  const newestAll = db.prepare<[number], EventRow>(
    `SELECT * FROM (SELECT seq, event_id, session_key, type, timestamp, body, ${silencedColumn} FROM events ORDER BY seq DESC LIMIT ?)
     ORDER BY seq`,
  );
  const newestOfSession = db.prepare<[string, number], EventRow>(
    `SELECT * FROM (SELECT seq, event_id, session_key, type, timestamp, body, ${silencedColumn} FROM events
       WHERE session_key = ? ORDER BY seq DESC LIMIT ?)
     ORDER BY seq`,
  );
  const deliveriesBetween = db.prepare<[number, number], DeliverySummaryRow>(
    `SELECT event_seq, sink, status, attempts, last_error, delivered_at FROM deliveries
     WHERE event_seq BETWEEN ? AND ? ORDER BY event_seq, sink`,
  );
  const deliveriesOfSessionBetween = db.prepare<[number, number, string], DeliverySummaryRow>(
    `SELECT event_seq, sink, status, attempts, last_error, delivered_at FROM deliveries
     WHERE event_seq BETWEEN ? AND ? AND session_key = ? ORDER BY event_seq, sink`,
  );

  const seqOf = db.prepare<[string], { seq: number }>("SELECT seq FROM events WHERE event_id = ?");
  const afterSeq = db.prepare<[number, number], EventRow>(
    "SELECT seq, event_id, session_key, type, timestamp, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
  );

  // The newest health event of each session; only those that say "failing" matter.
  const lastHealth = db.prepare<[], { session_key: string; type: string; body: string }>(
    `SELECT e.session_key, e.type, e.body FROM events e
     JOIN (SELECT session_key, MAX(seq) AS seq FROM events
           WHERE type IN ('authsession.poll_failing', 'authsession.poll_recovered') AND session_key IS NOT NULL
           GROUP BY session_key) newest ON newest.seq = e.seq
     WHERE e.type = 'authsession.poll_failing'`,
  );

  // Oldest first: old events sit at the start of the table, so the scan stops early. Their delivery
  // rows go with them (ON DELETE CASCADE); events still waiting for a delivery are kept.
  const pruneOld = db.prepare<[number, number]>(
    `DELETE FROM events WHERE seq IN (
       SELECT e.seq FROM events e
       WHERE e.timestamp < ?
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = e.seq AND d.status = 'pending')
       ORDER BY e.seq LIMIT ?)`,
  );

  // Key events are rare (one per refusal or recovery of a key), so all of them are read.
  const keyEvents = db.prepare<[], { type: string; body: string }>(
    "SELECT type, body FROM events WHERE type IN ('watcher.unauthorized', 'watcher.authorized') ORDER BY seq",
  );

  // Project events are stored without a session, so the session index finds them without a scan.
  const projectHealthEvents = db.prepare<[], { body: string }>(
    `SELECT body FROM events
     WHERE session_key IS NULL AND type IN ('project.poll_failing', 'project.poll_recovered') ORDER BY seq`,
  );

  return {
    failingProjects() {
      return failingProjectsOf(projectHealthEvents.all().map((row) => row.body));
    },
    refusedKeys() {
      return refusedKeysOf(keyEvents.all());
    },
    prune(before, limit) {
      return pruneOld.run(before, limit).changes;
    },
    failingSessions() {
      const failing = new Map<string, { error: ErrorInfo | null; failures: number }>();
      for (const row of lastHealth.all()) {
        const data = (JSON.parse(row.body) as AuthwatchEvent).data;
        failing.set(row.session_key, {
          error: "error" in data ? data.error : null,
          failures: "failures" in data ? data.failures : 0,
        });
      }
      return failing;
    },
    insert(event, sessionKey, timestamp, silencedBy) {
      const body = JSON.stringify(event);
      if (silencedBy === undefined || insertSilenced === undefined) {
        return Number(
          insertPlain.run(event.data.eventId, sessionKey, event.type, timestamp, body).lastInsertRowid,
        );
      }
      const result = insertSilenced.run(
        event.data.eventId,
        sessionKey,
        event.type,
        timestamp,
        body,
        silencedBy,
      );
      return Number(result.lastInsertRowid);
    },
    after(eventId, limit) {
      let from = 0;
      if (eventId !== null) {
        const row = seqOf.get(eventId);
        if (!row) return undefined;
        from = row.seq;
      }
      return afterSeq.all(from, limit).map((row) => ({
        seq: row.seq,
        eventId: row.event_id,
        sessionKey: row.session_key,
        event: JSON.parse(row.body) as AuthwatchEvent,
      }));
    },
    history(options) {
      const limit = options.limit ?? ALL;
      const events =
        options.sessionKey === undefined
          ? newestAll.all(limit)
          : newestOfSession.all(options.sessionKey, limit);
      const first = events[0];
      const last = events[events.length - 1];
      if (!first || !last) return [];

      const bySeq = new Map<number, DeliverySummary[]>();
      const rows =
        options.sessionKey === undefined
          ? deliveriesBetween.all(first.seq, last.seq)
          : deliveriesOfSessionBetween.all(first.seq, last.seq, options.sessionKey);
      for (const row of rows) {
        const list = bySeq.get(row.event_seq) ?? [];
        list.push({
          sink: row.sink,
          status: row.status,
          attempts: row.attempts,
          lastError: decodeError(row.last_error),
          deliveredAt: row.delivered_at,
        });
        bySeq.set(row.event_seq, list);
      }
      return events.map((row) => ({
        seq: row.seq,
        eventId: row.event_id,
        sessionKey: row.session_key,
        type: row.type,
        timestamp: row.timestamp,
        event: JSON.parse(row.body) as AuthwatchEvent,
        deliveries: bySeq.get(row.seq) ?? [],
        silencedBy: row.silenced_by ?? null,
      }));
    },
  };
}
