import type { Database } from "better-sqlite3";
import type { AuthwatchEvent } from "../events.js";
import type { ErrorInfo } from "../types.js";
import { decodeError, encodeError } from "./error-column.js";
import type { DeliveryRow, DeliveryStatus, RetryUpdate } from "./types.js";

/**
 * A due delivery joined with its event, as the SQLite and PostgreSQL outboxes select it. `Big` is the
 * type BIGINT columns arrive as: numbers from better-sqlite3, strings from pg.
 */
export interface DueRow<Big extends number | string = number> {
  id: Big;
  event_seq: Big;
  event_id: string;
  sink: string;
  session_key: string | null;
  status: DeliveryStatus;
  attempts: number;
  retries: number;
  next_attempt_at: Big;
  created_at: Big;
  last_error: string | null;
  progress: string | null;
  body: string;
}

export interface Outbox {
  enqueue(eventSeq: number, sessionKey: string | null, sinks: readonly string[], now: number): void;
  due(sink: string, now: number, limit: number): DeliveryRow[];
  nextDueAt(sink: string): number | undefined;
  /** `now` drives the lane (monotonic frame); `deliveredAt` is the wall-clock time history shows. */
  markDelivered(
    id: number,
    now: number,
    attempts: number | undefined,
    deliveredAt: number,
    partial?: ErrorInfo,
  ): void;
  markRetry(id: number, update: RetryUpdate, now: number): void;
  markDead(id: number, error: ErrorInfo, now: number, attempts: number | undefined): void;
  markSinkRowsDisabled(sink: string, now: number): number;
  depth(): Record<string, number>;
  pendingSinks(): string[];
}

/**
 * `next_attempt_at` of a row queued behind its lane's head: never due until the head is settled and
 * it is promoted. Keeps the due scan and the next wake-up time proportional to the lane heads, not
 * to the whole backlog (100,000 rows behind a dead receiver cost 40 ms per scan otherwise).
 */
export const QUEUED_BEHIND_HEAD = Number.MAX_SAFE_INTEGER;

/**
 * The persistent outbox: one row per (event, sink), written in the same transaction as the event.
 * Rows of one (session, sink) form a lane that is served strictly oldest first.
 */
export function createOutbox(db: Database): Outbox {
  const insert = db.prepare(
    `INSERT INTO deliveries (event_seq, sink, session_key, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const laneBusy = db.prepare<[string, string | null], { id: number }>(
    "SELECT id FROM deliveries WHERE sink = ? AND status = 'pending' AND session_key IS ? LIMIT 1",
  );
  const laneOf = db.prepare<[number], { sink: string; session_key: string | null }>(
    "SELECT sink, session_key FROM deliveries WHERE id = ?",
  );
  // The next row of a lane becomes its head, due at once, when the head is settled.
  const promote = db.prepare<[{ sink: string; session: string | null; now: number }]>(
    `UPDATE deliveries SET next_attempt_at = @now
     WHERE id = (SELECT id FROM deliveries
                 WHERE sink = @sink AND status = 'pending' AND session_key IS @session ORDER BY id LIMIT 1)
       AND next_attempt_at >= ${QUEUED_BEHIND_HEAD}`,
  );
  // Only lane heads carry a real due time (rows queued behind one wait at QUEUED_BEHIND_HEAD), so
  // this walks the due heads in deliveries_due order and stops at `limit`, however large the backlog
  // behind a dead receiver. The NOT EXISTS is a cheap guard that a head really is the oldest row
  // of its lane. `IS` rather than `=` so that session-less events (NULL) form one lane too.
  const due = db.prepare<[{ sink: string; now: number; limit: number }], DueRow>(
    `SELECT d.id, d.event_seq, e.event_id, d.sink, d.session_key, d.status, d.attempts, d.retries,
            d.next_attempt_at, d.created_at, d.last_error, d.progress, e.body
     FROM deliveries d JOIN events e ON e.seq = d.event_seq
     WHERE d.sink = @sink AND d.status = 'pending' AND d.next_attempt_at <= @now
       AND NOT EXISTS (
         SELECT 1 FROM deliveries older
         WHERE older.sink = @sink AND older.status = 'pending'
           AND older.session_key IS d.session_key AND older.id < d.id)
     ORDER BY d.next_attempt_at, d.id
     LIMIT @limit`,
  );
  // The earliest due time among lane heads: one step along deliveries_due.
  const nextDue = db.prepare<[string], { at: number | null }>(
    "SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE sink = ? AND status = 'pending'",
  );
  const delivered = db.prepare<[{ id: number; now: number; attempts: number | null; error: string | null }]>(
    `UPDATE deliveries SET status = 'delivered', delivered_at = @now, updated_at = @now,
       attempts = COALESCE(@attempts, attempts + 1), last_error = COALESCE(@error, last_error)
     WHERE id = @id`,
  );
  // Only pending rows move: a row disabled while its attempt was in flight stays disabled.
  const retry = db.prepare<
    [{ id: number; at: number; error: string; attempts: number; now: number; progress: string | null }]
  >(
    `UPDATE deliveries SET next_attempt_at = @at, last_error = @error, attempts = @attempts,
       retries = retries + 1, updated_at = @now, progress = COALESCE(@progress, progress)
     WHERE id = @id AND status = 'pending'`,
  );
  const dead = db.prepare<[{ id: number; error: string; now: number; attempts: number | null }]>(
    `UPDATE deliveries SET status = 'dead', last_error = @error, updated_at = @now,
       attempts = COALESCE(@attempts, attempts + 1)
     WHERE id = @id AND status = 'pending'`,
  );
  const disableRows = db.prepare(
    "UPDATE deliveries SET status = 'disabled', updated_at = ? WHERE sink = ? AND status = 'pending'",
  );
  const depth = db.prepare<[], { sink: string; n: number }>(
    "SELECT sink, COUNT(*) AS n FROM deliveries WHERE status = 'pending' GROUP BY sink",
  );

  /** Settles a head and promotes the next row of its lane, in one transaction. */
  const settle = db.transaction((update: () => void, id: number, now: number) => {
    update();
    const lane = laneOf.get(id);
    if (lane) promote.run({ sink: lane.sink, session: lane.session_key, now });
  });

  return {
    enqueue(eventSeq, sessionKey, sinks, now) {
      for (const sink of new Set(sinks)) {
        const dueAt = laneBusy.get(sink, sessionKey) ? QUEUED_BEHIND_HEAD : now;
        insert.run(eventSeq, sink, sessionKey, dueAt, now, now);
      }
    },
    due(sink, now, limit) {
      return due.all({ sink, now, limit }).map(toDeliveryRow);
    },
    nextDueAt(sink) {
      const at = nextDue.get(sink)?.at ?? undefined;
      return at === undefined || at >= QUEUED_BEHIND_HEAD ? undefined : at;
    },
    markDelivered(id, now, attempts, deliveredAt, partial) {
      const error = partial ? encodeError(partial) : null;
      settle(() => delivered.run({ id, now: deliveredAt, attempts: attempts ?? null, error }), id, now);
    },
    markRetry(id, update, now) {
      retry.run({
        id,
        at: update.nextAttemptAt,
        error: encodeError(update.error),
        attempts: update.attempts,
        now,
        progress: update.progress ?? null,
      });
    },
    markDead(id, error, now, attempts) {
      settle(() => dead.run({ id, error: encodeError(error), now, attempts: attempts ?? null }), id, now);
    },
    markSinkRowsDisabled(sink, now) {
      return disableRows.run(now, sink).changes;
    },
    depth() {
      const result: Record<string, number> = {};
      for (const row of depth.iterate()) result[row.sink] = row.n;
      return result;
    },
    pendingSinks() {
      return depth.all().map((row) => row.sink);
    },
  };
}

export function toDeliveryRow(row: DueRow<number | string>): DeliveryRow {
  return {
    id: Number(row.id),
    eventSeq: Number(row.event_seq),
    eventId: row.event_id,
    sink: row.sink,
    sessionKey: row.session_key,
    status: row.status,
    attempts: row.attempts,
    retries: row.retries,
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
    lastError: decodeError(row.last_error),
    progress: row.progress,
    event: JSON.parse(row.body) as AuthwatchEvent,
  };
}
