import { setMaxListeners } from "node:events";
import { monotonicToWall, wallStep, wallToMonotonic } from "../clock.js";
import type { WatchedSession } from "../config/types.js";
import { createFifoQueue } from "./fifo-queue.js";
import { createKeyGate } from "./key-gate.js";
import { createMinHeap } from "./min-heap.js";
import { firstPollTime, nextRegularTime, nextRetryTime } from "./next-poll-time.js";
import {
  IDLE,
  IN_FLIGHT,
  type KeyQueue,
  keyOf,
  QUEUED,
  type SessionRecord,
  sameTiming,
} from "./session-record.js";
import type { PollReport, Scheduler, SchedulerOptions, SchedulerStats, UpsertOptions } from "./types.js";

export type {
  KeyPause,
  PollReport,
  Scheduler,
  SchedulerOptions,
  SchedulerStats,
  UpsertOptions,
} from "./types.js";

const REJECTED: PollReport = { kind: "failed" };

/** Stale heap entries are swept once they outnumber live sessions by this much. */
const COMPACT_SLACK = 1_024;

/**
 * Polls every watched session on its own timetable with one Clock timer for all of them: a min-heap
 * of (dueAt, seq, session) entries, and the timer armed for the earliest of the heap's top and the
 * moment a blocked key reopens. Due sessions move to their key's queue and start, oldest due first,
 * while concurrency, the key's budget and its pause allow.
 *
 * Every time inside is on the clock's monotonic reading, so a wall-clock step (NTP, a resumed VM)
 * neither freezes polling nor fires every poll at once; wall-clock times cross the interface only
 * where a caller gives or reads one (`dueAt`, `nextDueAt`, `pauseKey`) and for cron expressions.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock, poll, onLate } = options;
  const random = options.random ?? Math.random;
  const concurrency = options.concurrency;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  if (!(options.maxRequestsPerSecond > 0)) {
    throw new RangeError(`maxRequestsPerSecond must be positive, got ${options.maxRequestsPerSecond}`);
  }

  // Includes sessions removed while in flight, until their poll finishes (see SessionRecord.removed).
  const records = new Map<string, SessionRecord>();
  const keyQueues = new Map<string, KeyQueue>();
  const heap = createMinHeap<SessionRecord>();
  // One controller for every poll in flight: abortInFlight() aborts them all anyway, and an
  // AbortController per poll is a measurable share of a poll's CPU on Node 20.
  const newController = () => {
    const created = new AbortController();
    // Every poll in flight listens on it (up to `concurrency`).
    setMaxListeners(0, created.signal);
    return created;
  };
  let controller = newController();
  let inFlight = 0;
  let nextSeq = 0;
  let live = 0;
  let waiting = 0;
  let started = 0;
  let succeeded = 0;
  let failed = 0;
  let running = false;
  let armedAt = Number.POSITIVE_INFINITY;
  let cancelTimer: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  const keyQueueFor = (name: string): KeyQueue => {
    let keyQueue = keyQueues.get(name);
    if (!keyQueue) {
      keyQueue = { name, gate: createKeyGate(options.maxRequestsPerSecond), waiting: createFifoQueue() };
      keyQueues.set(name, keyQueue);
    }
    return keyQueue;
  };

  const isLiveEntry = (record: SessionRecord, seq: number) =>
    record.seq === seq && record.state === IDLE && !record.removed;

  const maybeCompact = () => {
    if (heap.size() > 2 * live + COMPACT_SLACK) heap.retain(isLiveEntry);
  };

  const armAt = (at: number) => {
    // An earlier timer is kept: it wakes, finds little to do, and re-arms for what remains.
    if (!running || at >= armedAt) return;
    cancelTimer?.();
    armedAt = at;
    cancelTimer = clock.setTimer(onTimer, Math.max(0, Math.ceil(at - clock.monotonic())));
  };

  const schedule = (record: SessionRecord, dueAt: number) => {
    record.state = IDLE;
    record.dueAt = dueAt;
    record.seq = nextSeq++;
    heap.push(dueAt, record.seq, record);
    maybeCompact();
    armAt(dueAt);
  };

  /** The key queue's first session that still waits there; drops stale entries, re-queues moved ones. */
  const headOf = (keyQueue: KeyQueue): SessionRecord | undefined => {
    for (;;) {
      const record = keyQueue.waiting.peek();
      if (!record) return undefined;
      if (record.state === QUEUED && !record.removed && record.keyQueue === keyQueue) return record;
      keyQueue.waiting.shift();
      // Its API key changed while it waited: it waits on under the new key.
      if (record.state === QUEUED && !record.removed) record.keyQueue.waiting.push(record);
    }
  };

  /** Wall minus monotonic right now: what cron expressions need to read a monotonic time. */
  const wallOffset = () => wallStep(clock);

  const finish = (record: SessionRecord, keyQueue: KeyQueue, report: PollReport) => {
    inFlight--;
    const now = clock.monotonic();
    let next: number;
    if (report.kind === "ok") {
      succeeded++;
      record.status = report.status;
      record.failures = 0;
      next = nextRegularTime(record.session, record.status, now, random, wallOffset());
    } else {
      failed++;
      record.failures++;
      // The pause belongs to the key this poll used, even if the session has moved to another since.
      if (report.keyPause) keyQueue.gate.extendPause(now + report.keyPause.ms, report.keyPause.reason);
      next = nextRetryTime(
        record.session,
        record.status,
        record.failures,
        now,
        random,
        report.retryAfterMs,
        wallOffset(),
      );
    }
    if (record.removed) {
      if (records.get(record.session.key) === record) records.delete(record.session.key);
    } else {
      if (record.dueAtPinned) next = record.dueAt;
      record.dueAtPinned = false;
      schedule(record, next);
    }
    if (inFlight === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    pump();
  };

  const startPoll = (record: SessionRecord, now: number) => {
    record.state = IN_FLIGHT;
    started++;
    onLate?.(Math.max(0, now - record.dueAt));
    const keyQueue = record.keyQueue;
    inFlight++;
    let result: Promise<PollReport>;
    try {
      result = Promise.resolve(poll(record.session, controller.signal));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (report) => finish(record, keyQueue, report),
      () => finish(record, keyQueue, REJECTED),
    );
  };

  /** Starts waiting sessions, oldest due first across keys, while capacity allows. */
  const startWaiting = (now: number) => {
    while (inFlight < concurrency) {
      let best: SessionRecord | undefined;
      for (const keyQueue of keyQueues.values()) {
        const head = headOf(keyQueue);
        if (!head || !keyQueue.gate.isOpen(now)) continue;
        if (!best || head.dueAt < best.dueAt || (head.dueAt === best.dueAt && head.seq < best.seq)) {
          best = head;
        }
      }
      if (!best) return;
      best.keyQueue.waiting.shift();
      best.keyQueue.gate.take(now);
      waiting--;
      startPoll(best, now);
    }
  };

  const rearm = (now: number) => {
    let wakeAt = heap.peekAt() ?? Number.POSITIVE_INFINITY;
    // With every slot busy, a finishing poll is what frees capacity; no timer is needed for that.
    if (inFlight < concurrency) {
      for (const keyQueue of keyQueues.values()) {
        if (headOf(keyQueue)) wakeAt = Math.min(wakeAt, keyQueue.gate.openAt(now));
      }
    }
    if (wakeAt !== Number.POSITIVE_INFINITY) armAt(wakeAt);
  };

  function pump() {
    if (!running) return;
    const now = clock.monotonic();
    for (;;) {
      const at = heap.peekAt();
      if (at === undefined || at > now) break;
      const seq = heap.peekSeq()!;
      const record = heap.pop()!;
      if (!isLiveEntry(record, seq)) continue;
      record.state = QUEUED;
      waiting++;
      record.keyQueue.waiting.push(record);
    }
    startWaiting(now);
    rearm(now);
  }

  function onTimer() {
    cancelTimer = undefined;
    armedAt = Number.POSITIVE_INFINITY;
    pump();
  }

  const upsert = (session: WatchedSession, status: string | undefined, upsertOptions?: UpsertOptions) => {
    const now = clock.monotonic();
    const keyQueue = keyQueueFor(keyOf(session));
    const dueAt =
      upsertOptions?.dueAt === undefined ? undefined : wallToMonotonic(clock, upsertOptions.dueAt);
    const existing = records.get(session.key);
    if (!existing) {
      const record: SessionRecord = {
        session,
        status,
        keyQueue,
        dueAt: 0,
        seq: -1,
        failures: 0,
        state: IDLE,
        removed: false,
        dueAtPinned: false,
      };
      records.set(session.key, record);
      live++;
      schedule(record, dueAt ?? firstPollTime(session, status, now, random));
      return;
    }
    const changed = !sameTiming(existing.session, session);
    if (existing.removed) {
      existing.removed = false;
      live++;
    }
    existing.session = session;
    existing.keyQueue = keyQueue;
    if (status !== undefined) existing.status = status;
    if (existing.state === IN_FLIGHT) {
      // Never a second poll beside this one: the finish schedules it, from the new session's timing.
      if (dueAt !== undefined) {
        existing.dueAt = dueAt;
        existing.dueAtPinned = true;
      }
    } else if (dueAt !== undefined) {
      if (existing.state === QUEUED) waiting--;
      schedule(existing, dueAt);
    } else if (changed && existing.state === IDLE) {
      // From now on the new timetable, but never later than already planned: a pending first poll
      // stays prompt, and a shortened interval takes effect at once. A queued session is already due.
      schedule(
        existing,
        Math.min(existing.dueAt, nextRegularTime(session, existing.status, now, random, wallOffset())),
      );
    }
  };

  const remove = (key: string) => {
    const record = records.get(key);
    if (!record || record.removed) return;
    record.removed = true;
    live--;
    if (record.state === QUEUED) waiting--;
    if (record.state !== IN_FLIGHT) records.delete(key);
    maybeCompact();
  };

  const stats = (): SchedulerStats => {
    const now = clock.monotonic();
    const pausedKeys: string[] = [];
    for (const keyQueue of keyQueues.values())
      if (keyQueue.gate.pausedUntil() > now) pausedKeys.push(keyQueue.name);
    return {
      sessions: live,
      inFlight,
      waiting,
      heapEntries: heap.size(),
      started,
      succeeded,
      failed,
      pausedKeys,
    };
  };

  return {
    upsert,
    remove,
    start() {
      if (running) return;
      running = true;
      pump();
    },
    stop() {
      running = false;
      cancelTimer?.();
      cancelTimer = undefined;
      armedAt = Number.POSITIVE_INFINITY;
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    abortInFlight() {
      controller.abort();
      controller = newController();
    },
    size: () => live,
    inFlight: () => inFlight,
    nextDueAt(key) {
      const record = records.get(key);
      if (!record || record.removed) return undefined;
      if (record.state === IN_FLIGHT && !record.dueAtPinned) return undefined;
      return monotonicToWall(clock, record.dueAt);
    },
    pauseKey(keySource, untilMs) {
      keyQueueFor(keySource).gate.extendPause(wallToMonotonic(clock, untilMs));
    },
    resumeKey(keySource) {
      keyQueueFor(keySource).gate.resume();
      // Waiting sessions may start now; wake asynchronously, since this may be called from inside a poll.
      armAt(clock.monotonic());
    },
    stats,
    keyPauses() {
      const now = clock.monotonic();
      const pauses: ReturnType<Scheduler["keyPauses"]> = [];
      for (const keyQueue of keyQueues.values()) {
        const until = keyQueue.gate.pausedUntil();
        if (until > now)
          pauses.push({
            keySource: keyQueue.name,
            until: monotonicToWall(clock, until),
            reason: keyQueue.gate.pauseReason(),
          });
      }
      return pauses;
    },
  };
}
