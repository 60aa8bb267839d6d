import type { AuthwatchEvent } from "../events.js";
import { decodeError } from "../store/error-column.js";
import { type FailingProject, failingProjectsOf } from "../store/failing-projects.js";
import { refusedKeysOf } from "../store/refused-keys.js";
import type {
  DeliveryStatus,
  DeliverySummary,
  HistoryEntry,
  HistoryOptions,
  StoredEvent,
} from "../store/types.js";
import type { ErrorInfo } from "../types.js";
import { ms } from "./pg-outbox.js";
import type { Queryable } from "./queryable.js";

export interface NewEvent {
  event: AuthwatchEvent;
  sessionKey: string | null;
  timestamp: number;
  /** The silence that held for it: stored marked, delivered nowhere. */
  silencedBy?: string | undefined;
}

interface EventRow {
  seq: string;
  event_id: string;
  session_key: string | null;
  type: string;
  timestamp: string;
  body: string;
}

/** The event history on PostgreSQL (the SQLite twin is store/event-log.ts). `s` is the quoted schema. */
export function createPgEventLog(s: string) {
  return {
    /** Inserts the events of one commit in one statement; returns each event id's sequence number. */
    async insert(db: Queryable, events: readonly NewEvent[]): Promise<Map<string, number>> {
      if (events.length === 0) return new Map();
      const { rows } = await db.query<{ seq: string; event_id: string }>(
        `INSERT INTO ${s}.events (event_id, session_key, type, timestamp, body, silenced_by)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])
         RETURNING seq, event_id`,
        [
          events.map((item) => item.event.data.eventId),
          events.map((item) => item.sessionKey),
          events.map((item) => item.event.type),
          events.map((item) => ms(item.timestamp)),
          events.map((item) => JSON.stringify(item.event)),
          events.map((item) => item.silencedBy ?? null),
        ],
      );
      return new Map(rows.map((row) => [row.event_id, Number(row.seq)]));
    },

    async failingSessions(
      db: Queryable,
    ): Promise<Map<string, { error: ErrorInfo | null; failures: number }>> {
      const { rows } = await db.query<{ session_key: string; body: string }>(
        `SELECT DISTINCT ON (session_key) session_key, type, body FROM ${s}.events
         WHERE type IN ('authsession.poll_failing', 'authsession.poll_recovered') AND session_key IS NOT NULL
         ORDER BY session_key, seq DESC`,
      );
      const failing = new Map<string, { error: ErrorInfo | null; failures: number }>();
      for (const row of rows) {
        const event = JSON.parse(row.body) as AuthwatchEvent;
        if (event.type !== "authsession.poll_failing") continue;
        const data = event.data;
        failing.set(row.session_key, {
          error: "error" in data ? data.error : null,
          failures: "failures" in data ? data.failures : 0,
        });
      }
      return failing;
    },

    /** Projects whose last list-health event is project.poll_failing (stored without a session key). */
    async failingProjects(db: Queryable): Promise<Map<string, FailingProject>> {
      const { rows } = await db.query<{ body: string }>(
        `SELECT body FROM ${s}.events
         WHERE session_key IS NULL AND type IN ('project.poll_failing', 'project.poll_recovered') ORDER BY seq`,
      );
      return failingProjectsOf(rows.map((row) => row.body));
    },

    /** Key sources whose last key event is watcher.unauthorized (events naming no session). */
    async refusedKeys(db: Queryable): Promise<Set<string>> {
      const { rows } = await db.query<{ type: string; body: string }>(
        `SELECT type, body FROM ${s}.events
         WHERE session_key IS NULL AND type IN ('watcher.unauthorized', 'watcher.authorized') ORDER BY seq`,
      );
      return refusedKeysOf(rows);
    },

    async after(db: Queryable, eventId: string | null, limit: number): Promise<StoredEvent[] | undefined> {
      let from = 0;
      if (eventId !== null) {
        const { rows } = await db.query<{ seq: string }>(`SELECT seq FROM ${s}.events WHERE event_id = $1`, [
          eventId,
        ]);
        if (!rows[0]) return undefined;
        from = Number(rows[0].seq);
      }
      const { rows } = await db.query<EventRow>(
        `SELECT seq, event_id, session_key, type, timestamp, body FROM ${s}.events WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [from, limit],
      );
      return rows.map((row) => ({
        seq: Number(row.seq),
        eventId: row.event_id,
        sessionKey: row.session_key,
        event: JSON.parse(row.body) as AuthwatchEvent,
      }));
    },

    async history(db: Queryable, options: HistoryOptions): Promise<HistoryEntry[]> {
      const { rows: events } = await db.query<EventRow>(
        `SELECT * FROM (SELECT seq, event_id, session_key, type, timestamp, body FROM ${s}.events
           WHERE ($1::text IS NULL OR session_key = $1) ORDER BY seq DESC LIMIT $2) newest
         ORDER BY seq`,
        [options.sessionKey ?? null, options.limit ?? null],
      );
      const first = events[0];
      const last = events[events.length - 1];
      if (!first || !last) return [];
      const { rows } = await db.query<{
        event_seq: string;
        sink: string;
        status: DeliveryStatus;
        attempts: number;
        last_error: string | null;
        delivered_at: string | null;
      }>(
        `SELECT event_seq, sink, status, attempts, last_error, delivered_at FROM ${s}.deliveries
         WHERE event_seq BETWEEN $1 AND $2 AND ($3::text IS NULL OR session_key = $3) ORDER BY event_seq, sink`,
        [first.seq, last.seq, options.sessionKey ?? null],
      );
      const bySeq = new Map<number, DeliverySummary[]>();
      for (const row of rows) {
        const list = bySeq.get(Number(row.event_seq)) ?? [];
        list.push({
          sink: row.sink,
          status: row.status,
          attempts: row.attempts,
          lastError: decodeError(row.last_error),
          deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
        });
        bySeq.set(Number(row.event_seq), list);
      }
      return events.map((row) => ({
        seq: Number(row.seq),
        eventId: row.event_id,
        sessionKey: row.session_key,
        type: row.type,
        timestamp: Number(row.timestamp),
        event: JSON.parse(row.body) as AuthwatchEvent,
        deliveries: bySeq.get(Number(row.seq)) ?? [],
      }));
    },

    /** Deletes up to `limit` old events with no pending delivery (their rows go by cascade). */
    async prune(db: Queryable, before: number, limit: number): Promise<number> {
      const result = await db.query(
        `DELETE FROM ${s}.events WHERE seq IN (
           SELECT e.seq FROM ${s}.events e
           WHERE e.timestamp < $1
             AND NOT EXISTS (SELECT 1 FROM ${s}.deliveries d WHERE d.event_seq = e.seq AND d.status = 'pending')
           ORDER BY e.seq LIMIT $2)`,
        [ms(before), limit],
      );
      return result.rowCount ?? 0;
    },
  };
}
