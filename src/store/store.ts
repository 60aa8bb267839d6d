import Database from "better-sqlite3";
import { type Clock, monotonicToWall, systemClock, wallToMonotonic } from "../clock.js";
import { AuthwatchError } from "../errors/authwatch-error.js";
import type { AuthwatchEvent } from "../events.js";
import { createSilentLogger, type Logger } from "../logger.js";
import { sessionKey } from "../types.js";
import { createAlertTables } from "./alert-tables.js";
import { createEventLog } from "./event-log.js";
import { claimInstance, type InstanceOwner } from "./instance-owner.js";
import { applyMigrations } from "./migrations.js";
import { createOutbox } from "./outbox.js";
import { preparePrivateFile } from "./private-file.js";
import { createSessionStates } from "./session-states.js";
import { createSinkStates } from "./sink-state.js";
import type { StoreChange } from "./state-store.js";
import { createStatusQueries } from "./status-queries.js";
import { openFailure, readFailure, StoreError, sqliteCode, writeFailure } from "./store-error.js";
import type { SqliteStore, TransitionRecord } from "./types.js";
import { createWalSync } from "./wal-sync.js";

export interface StoreOptions {
  logger?: Logger;
  /**
   * Wall clock for what history shows (`delivered_at`, `updated_at`); the monotonic reading for the
   * outbox's own schedule (`created_at` starts the retry window, `next_attempt_at`), which the
   * delivery worker compares with its monotonic reading.
   */
  clock?: Clock;
  /** How long a writer waits for another process holding the lock (e.g. `history` reading). */
  busyTimeoutMs?: number;
  /**
   * For commands that only read (status, history): no folder or file is created, no migration runs,
   * and a file the user may read but not write still opens. Writes then fail.
   */
  readOnly?: boolean;
  /**
   * For `watch`: become the one daemon of this file (an owner row with pid, host and heartbeat) or
   * throw StateInUseError (exit 2) while another one holds it. Released by close().
   */
  singleInstance?: boolean;
}

/**
 * The StateStore on one machine. Opens (creating it and its folder if needed) the SQLite state file
 * and brings its schema up to date.
 * Throws a StoreError (STORE_ERROR, exit 1) naming the path when the file is not a database or
 * cannot be written.
 */
export function openStore(path: string, options: StoreOptions = {}): SqliteStore {
  const logger = options.logger ?? createSilentLogger();
  const clock = options.clock ?? systemClock;
  const db = options.readOnly
    ? openReadOnly(path, options.busyTimeoutMs ?? 5_000)
    : openDatabase(path, options.busyTimeoutMs ?? 5_000, logger);
  const store = createStore(db, path, clock, !options.readOnly);
  if (!options.singleInstance || options.readOnly) return store;
  let owner: InstanceOwner;
  try {
    owner = claimInstance(db, { path, clock, logger });
  } catch (error) {
    db.close();
    if (error instanceof AuthwatchError) throw error;
    throw openFailure(path, error);
  }
  const close = store.close;
  store.close = () => {
    if (db.open) owner.release();
    close();
  };
  return store;
}

function openReadOnly(path: string, busyTimeoutMs: number): Database.Database {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    return db;
  } catch (error) {
    throw openFailure(path, error);
  }
}

function openDatabase(path: string, busyTimeoutMs: number, logger: Logger): Database.Database {
  let db: Database.Database | undefined;
  try {
    preparePrivateFile(path);
    db = new Database(path);
    // First, so that every later step waits for a lock held by another process instead of failing.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // WAL: readers (the history command, /sessions) never block the daemon's writes.
    db.pragma("journal_mode = WAL");
    // NORMAL: a commit is in the OS when it returns, so a crash of the process loses nothing; the WAL
    // reaches the disk within a second (wal-sync.ts), so a power loss loses at most that second.
    // FULL would fsync on every commit, on the event loop: the largest single cost of a state change.
    // docs/benchmarks.md has the figures and what a lost second means for alerts.
    db.pragma("synchronous = NORMAL");
    // A checkpoint copies the WAL's pages into the file, inside whichever commit crosses the threshold.
    // At SQLite's default (1,000 pages, 4 MB) a sweep of first observations checkpoints every couple of
    // commits, copying the same index pages again each time; at 10,000 pages a first observation costs
    // about 5 µs less CPU (bench/store-commit.ts, docs/benchmarks.md). Durability is unchanged (the WAL
    // is fsynced within a second either way); the WAL file is cut back to 16 MB after a checkpoint.
    db.pragma("wal_autocheckpoint = 10000");
    db.pragma(`journal_size_limit = ${16 * 2 ** 20}`);
    db.pragma("foreign_keys = ON");
    const { from, to } = applyMigrations(db);
    if (from !== to) logger.info({ path, from, to }, "state file schema migrated");
    // A file we may read but not write opens without complaint; rewriting the header now turns
    // that into a clear error at start instead of a failure at the first state change.
    db.pragma(`user_version = ${to}`);
    return db;
  } catch (error) {
    db?.close();
    throw openFailure(path, error);
  }
}

/** Events deleted per transaction when pruning. */
const PRUNE_BATCH = 1_000;

function createStore(db: Database.Database, path: string, clock: Clock, writable: boolean): SqliteStore {
  const states = createSessionStates(db);
  const events = createEventLog(db);
  const outbox = createOutbox(db);
  const sinks = createSinkStates(db);
  const status = createStatusQueries(db);
  const alerts = createAlertTables(db);
  let lastWriteOk = true;
  // A WAL that cannot be synced is a disk that may be losing commits: /healthz says so.
  const walSync = writable
    ? createWalSync(`${path}-wal`, clock, () => {
        lastWriteOk = false;
      })
    : undefined;

  /** Runs a write; SQLite failures become a StoreError and mark the store unhealthy. */
  function write<T>(run: () => T): T {
    try {
      const result = run();
      lastWriteOk = true;
      walSync?.afterWrite();
      return result;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const code = sqliteCode(error);
      // A constraint violation is a caller's bug (e.g. a reused eventId), not a sick file.
      if (!code?.startsWith("SQLITE_") || code.startsWith("SQLITE_CONSTRAINT")) throw error;
      lastWriteOk = false;
      throw writeFailure(path, error);
    }
  }

  function read<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (sqliteCode(error)?.startsWith("SQLITE_")) throw readFailure(path, error);
      throw error;
    }
  }

  const eventTime = (event: AuthwatchEvent): number => {
    const time = Date.parse(event.timestamp);
    return Number.isNaN(time) ? clock.now() : time;
  };

  const storeOne = (change: StoreChange): void => {
    if (change.kind === "transition") states.upsert(change.ref, change.state);
    const { event } = change;
    if (!event) return;
    const key = change.kind === "transition" ? sessionKey(change.ref) : change.sessionKey;
    const time = eventTime(event);
    const seq = events.insert(event, key, time, change.silencedBy);
    if (change.deliverTo.length > 0) outbox.enqueue(seq, key, change.deliverTo, wallToMonotonic(clock, time));
    if (change.kind === "event" && change.alertProgress) alerts.saveProgress(change.alertProgress);
  };
  // Transactions run with .immediate(): the write lock is taken up front (waiting up to busy_timeout)
  // rather than upgraded mid-way, where another connection's lock would fail it with SQLITE_BUSY.
  const commitAll = db.transaction((changes: readonly StoreChange[]) => {
    for (const change of changes) storeOne(change);
  });
  const commit = (changes: readonly StoreChange[]): void => {
    if (changes.length > 0) write(() => commitAll.immediate(changes));
  };
  const asChange = (record: TransitionRecord): StoreChange => ({ kind: "transition", ...record });
  const disableSink = db.transaction((name: string, fingerprint: string, reason: string) => {
    sinks.disable(name, fingerprint, reason, clock.now());
  });

  return {
    path,
    location: path,
    loadSessions: () => read(() => states.load()),
    failingSessions: () => read(() => events.failingSessions()),
    disabledSinks: () => read(() => sinks.disabled()),
    commit,
    recordTransition(ref, state, event, deliverTo) {
      commit([{ kind: "transition", ref, state, event, deliverTo }]);
    },
    recordTransitions(batch) {
      commit(batch.map(asChange));
    },
    recordEvent(event, key, deliverTo) {
      commit([{ kind: "event", event, sessionKey: key, deliverTo }]);
    },
    eventsAfter: (eventId, limit) => read(() => events.after(eventId, limit)),
    statusChangesSince: (since, page) => read(() => status.statusChangesSince(since, page)),
    sinkStates: () => read(() => status.sinkStates()),
    history: (options = {}) => read(() => events.history(options)),
    pruneHistory(before) {
      let total = 0;
      for (;;) {
        const deleted = write(() => events.prune(before, PRUNE_BATCH));
        total += deleted;
        if (deleted < PRUNE_BATCH) return total;
      }
    },
    dueDeliveries: (sink, now, limit) => read(() => outbox.due(sink, now, limit)),
    nextDueAt: (sink) => read(() => outbox.nextDueAt(sink)),
    markDelivered: (id, now, attempts, partial) =>
      write(() => outbox.markDelivered(id, now, attempts, monotonicToWall(clock, now), partial)),
    markRetry: (id, update) => write(() => outbox.markRetry(id, update, clock.now())),
    markDead: (id, error, now, attempts) => write(() => outbox.markDead(id, error, now, attempts)),
    disableSink: (name, fingerprint, reason) => write(() => disableSink.immediate(name, fingerprint, reason)),
    isSinkDisabled: (name, fingerprint) => read(() => sinks.isDisabled(name, fingerprint)),
    markSinkRowsDisabled: (sink) => write(() => outbox.markSinkRowsDisabled(sink, clock.now())),
    outboxDepth: () => read(() => outbox.depth()),
    pendingSinks: () => read(() => outbox.pendingSinks()),
    loadAlertProgress: () => read(() => alerts.loadProgress()),
    refusedKeys: () => read(() => events.refusedKeys()),
    failingProjects: () => read(() => events.failingProjects()),
    currentSilences: (now) => read(() => alerts.currentSilences(now)),
    addSilence: (silence) => write(() => alerts.addSilence(silence)),
    removeSilence: (id, now) => write(() => alerts.removeSilence(id, now)),
    isHealthy: () => db.open && lastWriteOk,
    close() {
      walSync?.close();
      if (db.open) db.close();
    },
  };
}
