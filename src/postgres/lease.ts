import type { Queryable } from "./queryable.js";
import { quoteSchema } from "./schema-name.js";

/** The one lease authwatch instances compete for. */
export const LEADER_LEASE = "leader";

export interface LeaseGrant {
  holder: string;
  /** The fencing token: every state-changing transaction of this leader checks it. */
  epoch: number;
}

/**
 * Takes or renews the lease for `holder` on the DATABASE clock: the row is claimed only when it has
 * expired or `holder` already holds it. clock_timestamp(), not now(): now() is the start of the
 * transaction, frozen, and would let a slow statement extend or steal a lease with a stale time.
 * A new holder bumps the epoch; a renewal keeps it. Returns null while someone else holds it.
 */
export async function acquireLease(
  db: Queryable,
  schema: string,
  holder: string,
  ttlMs: number,
  name = LEADER_LEASE,
): Promise<LeaseGrant | null> {
  const s = quoteSchema(schema);
  const { rows } = await db.query<{ epoch: string }>(
    `INSERT INTO ${s}.lease AS l (name, holder, epoch, expires_at, acquired_at)
     VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond', clock_timestamp())
     ON CONFLICT (name) DO UPDATE SET
       holder = excluded.holder,
       epoch = CASE WHEN l.holder = excluded.holder THEN l.epoch ELSE l.epoch + 1 END,
       acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE clock_timestamp() END,
       expires_at = clock_timestamp() + $3 * interval '1 millisecond'
     WHERE l.expires_at < clock_timestamp() OR l.holder = excluded.holder
     RETURNING epoch`,
    [name, holder, ttlMs],
  );
  const row = rows[0];
  return row ? { holder, epoch: Number(row.epoch) } : null;
}

/** Gives the lease up at once (clean shutdown), so a standby need not wait for it to expire. */
export async function releaseLease(
  db: Queryable,
  schema: string,
  holder: string,
  name = LEADER_LEASE,
): Promise<void> {
  const s = quoteSchema(schema);
  await db.query(
    `UPDATE ${s}.lease SET expires_at = clock_timestamp() - interval '1 millisecond'
     WHERE name = $1 AND holder = $2`,
    [name, holder],
  );
}

export interface LeaseRow {
  holder: string;
  epoch: number;
  /** Milliseconds until it expires on the database clock (negative: expired). */
  remainingMs: number;
}

/** Who holds the lease now, for status and tests. */
export async function readLease(
  db: Queryable,
  schema: string,
  name = LEADER_LEASE,
): Promise<LeaseRow | null> {
  const s = quoteSchema(schema);
  const { rows } = await db.query<{ holder: string; epoch: string; remaining_ms: number }>(
    `SELECT holder, epoch, (EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000)::float8 AS remaining_ms
     FROM ${s}.lease WHERE name = $1`,
    [name],
  );
  const row = rows[0];
  return row ? { holder: row.holder, epoch: Number(row.epoch), remainingMs: row.remaining_ms } : null;
}
