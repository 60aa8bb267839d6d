import type pg from "pg";
import { type Clock, systemClock } from "../clock.js";
import type { AuthwatchEvent } from "../events.js";
import type { StateStore, StoreChange } from "../store/state-store.js";
import { sessionKey } from "../types.js";
import { FencedError } from "./fenced-error.js";
import { LEADER_LEASE } from "./lease.js";
import { createPgAlertTables } from "./pg-alert-tables.js";
import { createPgEventLog, type NewEvent } from "./pg-event-log.js";
import { createPgOutbox, type NewDelivery } from "./pg-outbox.js";
import { createPgSessionStates } from "./pg-session-states.js";
import type { Queryable } from "./queryable.js";
import { quoteSchema } from "./schema-name.js";

export interface PostgresStoreOptions {
  pool: pg.Pool;
  schema: string;
  /** For log lines and errors: the database URL without its password. */
  location: string;
  /**
   * The fencing token of the lease this store writes under. Every state-changing transaction first
   * checks, in the same transaction, that the lease still has this epoch, and refuses (FencedError)
   * otherwise. Undefined for the commands that only read or write outside the daemon (history, silence).
   */
  epoch?: number;
  clock?: Clock;
  /**
   * How long the server lets one of our transactions sit idle before ending it; well under the lease
   * TTL, so that a paused leader's open transaction never delays a takeover by much.
   */
  idleInTransactionMs?: number;
  /** The pool belongs to the caller (shared by the lease and every term of leadership): close() keeps it. */
  ownsPool?: boolean;
}

const PRUNE_BATCH = 1_000;

/** The StateStore on PostgreSQL. All rows live in `schema`, which applyPostgresMigrations prepared. */
export function createPostgresStore(options: PostgresStoreOptions): StateStore {
  const { pool, epoch } = options;
  const clock = options.clock ?? systemClock;
  const s = quoteSchema(options.schema);
  const sessions = createPgSessionStates(s);
  const events = createPgEventLog(s);
  const outbox = createPgOutbox(s);
  const alerts = createPgAlertTables(s);
  let healthy = true;
  let closed = false;
  const idleTimeoutMs = Math.max(250, Math.round(options.idleInTransactionMs ?? 5_000));

  /** Runs `work` in a transaction that first takes a share lock on the lease row at our epoch. */
  async function fenced<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect().catch((error: unknown) => {
      healthy = false;
      throw error;
    });
    let broken = false;
    // A checked-out client reports a dropped connection (database restart) as an 'error' event,
    // which would crash the process without a listener; the query in flight rejects anyway.
    const onError = () => {
      broken = true;
    };
    client.on("error", onError);
    try {
      // A process paused mid-transaction (SIGSTOP, a frozen VM) would hold its share lock on the lease
      // row, and with it every takeover, for as long as it sleeps: the server ends such a transaction.
      await client.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${idleTimeoutMs}`);
      if (epoch !== undefined) {
        // FOR SHARE: a new holder's claim (an UPDATE of this row) waits until we commit, so either
        // our writes land before the epoch changes and the new leader reads them, or we are refused.
        const lease = await client.query(
          `SELECT 1 FROM ${s}.lease WHERE name = $1 AND epoch = $2 FOR SHARE`,
          [LEADER_LEASE, epoch],
        );
        if (lease.rowCount === 0) throw new FencedError(epoch);
      }
      const result = await work(client);
      await client.query("COMMIT");
      healthy = true;
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      if (!(error instanceof FencedError)) healthy = false;
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  const eventTime = (event: AuthwatchEvent): number => {
    const time = Date.parse(event.timestamp);
    return Number.isNaN(time) ? clock.now() : time;
  };

  async function commitAll(db: Queryable, changes: readonly StoreChange[]): Promise<Map<string, number>> {
    const transitions = changes.flatMap((change) => (change.kind === "transition" ? [change] : []));
    const versions = await sessions.write(db, transitions);
    const newEvents: NewEvent[] = [];
    const routes: { eventId: string; sessionKey: string | null; at: number; sinks: readonly string[] }[] = [];
    for (const change of changes) {
      if (!change.event) continue;
      const key = change.kind === "transition" ? sessionKey(change.ref) : change.sessionKey;
      const at = eventTime(change.event);
      newEvents.push({ event: change.event, sessionKey: key, timestamp: at, silencedBy: change.silencedBy });
      routes.push({ eventId: change.event.data.eventId, sessionKey: key, at, sinks: change.deliverTo });
    }
    const seqs = await events.insert(db, newEvents);
    // An alert's progress lands in the same transaction as its event: a crash keeps both or neither.
    for (const change of changes) {
      if (change.kind === "event" && change.alertProgress)
        await alerts.saveProgress(db, change.alertProgress);
    }
    const deliveries: NewDelivery[] = [];
    for (const route of routes) {
      const eventSeq = seqs.get(route.eventId);
      if (eventSeq === undefined) continue;
      for (const sink of new Set(route.sinks)) {
        deliveries.push({ eventSeq, sink, sessionKey: route.sessionKey, at: route.at });
      }
    }
    await outbox.enqueue(db, deliveries);
    return versions;
  }

  return {
    location: options.location,
    loadSessions: () => sessions.load(pool),
    failingSessions: () => events.failingSessions(pool),
    failingProjects: () => events.failingProjects(pool),
    refusedKeys: () => events.refusedKeys(pool),
    async disabledSinks() {
      const { rows } = await pool.query<{ sink: string; fingerprint: string }>(
        `SELECT sink, fingerprint FROM ${s}.sink_state WHERE disabled`,
      );
      return new Map(rows.map((row) => [row.sink, row.fingerprint]));
    },
    async commit(changes) {
      if (changes.length === 0) return;
      sessions.remember(await fenced((db) => commitAll(db, changes)));
    },
    loadAlertProgress: () => alerts.loadProgress(pool),
    currentSilences: (now) => alerts.currentSilences(pool, now),
    eventsAfter: (eventId, limit) => events.after(pool, eventId, limit),
    history: (options = {}) => events.history(pool, options),
    async pruneHistory(before) {
      let total = 0;
      for (;;) {
        const deleted = await fenced((db) => events.prune(db, before, PRUNE_BATCH));
        total += deleted;
        if (deleted < PRUNE_BATCH) return total;
      }
    },
    dueDeliveries: (sink, now, limit) => outbox.due(pool, sink, now, limit, epoch),
    nextDueAt: (sink) => outbox.nextDueAt(pool, sink),
    markDelivered: (id, now, attempts, partial) =>
      fenced((db) => outbox.settle(db, id, "delivered", now, attempts, partial ?? null)),
    markRetry: (id, update) => fenced((db) => outbox.retry(db, id, update, clock.now())),
    markDead: (id, error, now, attempts) =>
      fenced((db) => outbox.settle(db, id, "dead", now, attempts, error)),
    disableSink: (name, fingerprint, reason) =>
      fenced(async (db) => {
        await db.query(
          `INSERT INTO ${s}.sink_state (sink, disabled, reason, fingerprint, updated_at) VALUES ($1, TRUE, $2, $3, $4)
           ON CONFLICT (sink) DO UPDATE SET
             disabled = TRUE, reason = excluded.reason, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
          [name, reason, fingerprint, Math.round(clock.now())],
        );
      }),
    markSinkRowsDisabled: (sink) => fenced((db) => outbox.disableRows(db, sink, clock.now())),
    outboxDepth: () => outbox.depth(pool),
    async pendingSinks() {
      return Object.keys(await outbox.depth(pool));
    },
    isHealthy: () => healthy && !closed,
    async close() {
      if (closed) return;
      closed = true;
      if (options.ownsPool) await pool.end();
    },
  };
}
