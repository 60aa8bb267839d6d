import { encodeError } from "../store/error-column.js";
import { type DueRow, QUEUED_BEHIND_HEAD, toDeliveryRow } from "../store/outbox.js";
import type { RetryUpdate } from "../store/types.js";
import type { ErrorInfo } from "../types.js";
import type { Queryable } from "./queryable.js";

/** One outbox row to insert. */
export interface NewDelivery {
  eventSeq: number;
  sink: string;
  sessionKey: string | null;
  at: number;
}

/**
 * The outbox on PostgreSQL, the same lanes as SQLite (store/outbox.ts): rows of one (sink, session)
 * are served oldest first, rows behind a lane's head wait at QUEUED_BEHIND_HEAD. `s` is the quoted schema.
 */
export function createPgOutbox(s: string) {
  /**
   * Enqueueing and settling serialise on one transaction-scoped lock: otherwise a row queued behind a
   * head (read as pending) and that head's settlement (which promotes the next row, not yet visible)
   * can pass each other under READ COMMITTED, and the row waits behind a head that is gone, forever.
   * SQLite serialises its writers anyway.
   */
  const lockLanes = (db: Queryable) =>
    db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`authwatch outbox ${s}`]);
  return {
    /** Inserts the rows of one commit in one statement; a row joins the back of a busy lane. */
    async enqueue(db: Queryable, rows: readonly NewDelivery[]): Promise<void> {
      if (rows.length === 0) return;
      await lockLanes(db);
      const sinks = [...new Set(rows.map((row) => row.sink))];
      const busy = await db.query<{ sink: string; session_key: string | null }>(
        `SELECT DISTINCT sink, session_key FROM ${s}.deliveries WHERE status = 'pending' AND sink = ANY($1)`,
        [sinks],
      );
      const laneKey = (sink: string, key: string | null) => JSON.stringify([sink, key]);
      const taken = new Set(busy.rows.map((row) => laneKey(row.sink, row.session_key)));
      const dueAt = rows.map((row) => {
        const lane = laneKey(row.sink, row.sessionKey);
        if (taken.has(lane)) return QUEUED_BEHIND_HEAD;
        taken.add(lane);
        return ms(row.at);
      });
      await db.query(
        `INSERT INTO ${s}.deliveries (event_seq, sink, session_key, next_attempt_at, created_at, updated_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $5::bigint[])`,
        [
          rows.map((row) => row.eventSeq),
          rows.map((row) => row.sink),
          rows.map((row) => row.sessionKey),
          dueAt,
          rows.map((row) => ms(row.at)),
        ],
      );
    },

    /** Due lane heads; `leaseEpoch` set: nothing unless that epoch still holds an unexpired lease. */
    async due(db: Queryable, sink: string, now: number, limit: number, leaseEpoch?: number) {
      const fence =
        leaseEpoch === undefined
          ? ""
          : `AND EXISTS (SELECT 1 FROM ${s}.lease WHERE name = 'leader' AND epoch = $4
                           AND expires_at > clock_timestamp())`;
      const { rows } = await db.query<DueRow<string>>(
        `SELECT d.id, d.event_seq, e.event_id, d.sink, d.session_key, d.status, d.attempts, d.retries,
                d.next_attempt_at, d.created_at, d.last_error, d.progress, e.body
         FROM ${s}.deliveries d JOIN ${s}.events e ON e.seq = d.event_seq
         WHERE d.sink = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2
           AND NOT EXISTS (
             SELECT 1 FROM ${s}.deliveries older
             WHERE older.sink = $1 AND older.status = 'pending'
               AND older.session_key IS NOT DISTINCT FROM d.session_key AND older.id < d.id)
           ${fence}
         ORDER BY d.next_attempt_at, d.id
         LIMIT $3`,
        leaseEpoch === undefined ? [sink, ms(now), limit] : [sink, ms(now), limit, leaseEpoch],
      );
      return rows.map(toDeliveryRow);
    },

    async nextDueAt(db: Queryable, sink: string): Promise<number | undefined> {
      const { rows } = await db.query<{ at: string | null }>(
        `SELECT MIN(next_attempt_at) AS at FROM ${s}.deliveries WHERE sink = $1 AND status = 'pending'`,
        [sink],
      );
      const at = rows[0]?.at;
      return at === null || at === undefined || Number(at) >= QUEUED_BEHIND_HEAD ? undefined : Number(at);
    },

    /** Settles a head (delivered or dead) and promotes the next row of its lane; run inside a transaction. */
    async settle(
      db: Queryable,
      id: number,
      status: "delivered" | "dead",
      now: number,
      attempts: number | undefined,
      error: ErrorInfo | null,
    ): Promise<void> {
      await lockLanes(db);
      const { rows } = await db.query<{ sink: string; session_key: string | null }>(
        `UPDATE ${s}.deliveries SET status = $2, updated_at = $3,
           delivered_at = CASE WHEN $2 = 'delivered' THEN $3::bigint ELSE delivered_at END,
           last_error = COALESCE($5, last_error),
           attempts = COALESCE($4, attempts + 1)
         WHERE id = $1 AND (status = 'pending' OR $2 = 'delivered')
         RETURNING sink, session_key`,
        [id, status, ms(now), attempts ?? null, error ? encodeError(error) : null],
      );
      const lane = rows[0];
      if (!lane) return;
      await db.query(
        `UPDATE ${s}.deliveries SET next_attempt_at = $3
         WHERE id = (SELECT id FROM ${s}.deliveries
                     WHERE sink = $1 AND status = 'pending' AND session_key IS NOT DISTINCT FROM $2
                     ORDER BY id LIMIT 1)
           AND next_attempt_at >= ${QUEUED_BEHIND_HEAD}`,
        [lane.sink, lane.session_key, ms(now)],
      );
    },

    async retry(db: Queryable, id: number, update: RetryUpdate, now: number): Promise<void> {
      await db.query(
        `UPDATE ${s}.deliveries SET next_attempt_at = $2, last_error = $3, attempts = $4,
           retries = retries + 1, updated_at = $5, progress = COALESCE($6, progress)
         WHERE id = $1 AND status = 'pending'`,
        [
          id,
          ms(update.nextAttemptAt),
          encodeError(update.error),
          update.attempts,
          ms(now),
          update.progress ?? null,
        ],
      );
    },

    async disableRows(db: Queryable, sink: string, now: number): Promise<number> {
      const result = await db.query(
        `UPDATE ${s}.deliveries SET status = 'disabled', updated_at = $1 WHERE sink = $2 AND status = 'pending'`,
        [ms(now), sink],
      );
      return result.rowCount ?? 0;
    },

    async depth(db: Queryable): Promise<Record<string, number>> {
      const { rows } = await db.query<{ sink: string; n: string }>(
        `SELECT sink, COUNT(*) AS n FROM ${s}.deliveries WHERE status = 'pending' GROUP BY sink`,
      );
      return Object.fromEntries(rows.map((row) => [row.sink, Number(row.n)]));
    },
  };
}

/** Times reach BIGINT columns as whole milliseconds (clocks derived from the monotonic one have fractions). */
export const ms = (time: number): number => Math.round(time);
