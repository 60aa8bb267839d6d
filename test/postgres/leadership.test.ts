import type pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { createLeadership, type Leadership } from "../../src/postgres/leadership.js";
import { acquireLease, readLease, releaseLease } from "../../src/postgres/lease.js";
import { captureLog } from "../helpers/log-capture.js";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";
import { migratedPool } from "./fixtures.js";

noteWhenPostgresMissing("test/postgres/leadership.test.ts");

const TTL = 1_000;

describe.skipIf(!postgresAvailable)("leadership by lease", () => {
  const cluster = usePostgresCluster();

  interface Contender {
    leadership: Leadership;
    events: string[];
    /** While true, renewals fail as if the database were unreachable. */
    cut: { value: boolean };
    /** Added to the monotonic clock, to simulate a pause. */
    jump: { value: number };
  }

  function contender(
    pool: pg.Pool,
    holder: string,
    onStepDown?: () => Promise<void>,
    log = captureLog(),
  ): Contender {
    const events: string[] = [];
    const cut = { value: false };
    const jump = { value: 0 };
    const leadership = createLeadership({
      ttlMs: TTL,
      logger: log.logger,
      monotonic: () => performance.now() + jump.value,
      acquire: async () => {
        if (cut.value) throw new Error("connection refused");
        return acquireLease(pool, "authwatch", holder, TTL);
      },
      release: () => releaseLease(pool, "authwatch", holder),
      onLead: (epoch) => {
        events.push(`lead ${epoch}`);
      },
      onStepDown: async (reason) => {
        events.push(`down: ${reason}`);
        await onStepDown?.();
      },
    });
    onTestFinished(() => leadership.stop());
    leadership.start();
    return { leadership, events, cut, jump };
  }

  it("makes exactly one of two instances the leader", async () => {
    const pool = await migratedPool(cluster());
    const a = contender(pool, "a");
    const b = contender(pool, "b");
    await expect.poll(() => [a, b].filter((c) => c.leadership.isLeading()).length).toBe(1);
    // And it stays that way across several renewals.
    await new Promise((resolve) => setTimeout(resolve, TTL * 1.5));
    expect([a, b].filter((c) => c.leadership.isLeading())).toHaveLength(1);
    expect([...a.events, ...b.events]).toEqual(["lead 1"]);
  });

  it("says since when the database cannot be reached, logs why without a stack trace, and forgets it once back", async () => {
    const pool = await migratedPool(cluster());
    const log = captureLog();
    const a = contender(pool, "a", undefined, log);
    await expect.poll(() => a.leadership.isLeading()).toBe(true);
    expect(a.leadership.databaseProblem()).toBeUndefined();
    const cutAt = Date.now();
    a.cut.value = true;
    await expect.poll(() => a.leadership.databaseProblem(), { timeout: TTL * 2 }).toBeDefined();
    const problem = a.leadership.databaseProblem()!;
    expect(Date.parse(problem.since)).toBeGreaterThanOrEqual(cutAt - 5);
    expect(problem.error).toEqual({ message: "connection refused" });
    expect(log.text()).toContain("could not reach the lease");
    expect(log.text()).not.toContain("stack");
    a.cut.value = false;
    await expect.poll(() => a.leadership.databaseProblem(), { timeout: TTL * 2 }).toBeUndefined();
  });

  it("hands over at once when the leader stops cleanly, with a new epoch", async () => {
    const pool = await migratedPool(cluster());
    const a = contender(pool, "a");
    await expect.poll(() => a.leadership.isLeading()).toBe(true);
    const b = contender(pool, "b");
    await a.leadership.stop();
    expect(a.events).toEqual(["lead 1", "down: shutting down"]);
    await expect.poll(() => b.leadership.epoch(), { timeout: TTL }).toBe(2);
  });

  it("steps a leader that cannot renew down before its lease ends, and a standby takes over within two TTLs", async () => {
    const pool = await migratedPool(cluster());
    let remainingAtStepDown: number | undefined;
    const a = contender(pool, "a", async () => {
      remainingAtStepDown = (await readLease(pool, "authwatch"))?.remainingMs;
    });
    await expect.poll(() => a.leadership.isLeading()).toBe(true);
    const b = contender(pool, "b");
    a.cut.value = true;
    const cutAt = performance.now();
    await expect.poll(() => a.leadership.role(), { timeout: 2 * TTL }).toBe("standby");
    await expect.poll(() => remainingAtStepDown).toBeDefined();
    // The database still counted the lease as a's when a stopped: no moment with two leaders.
    expect(remainingAtStepDown).toBeGreaterThan(0);
    await expect.poll(() => b.leadership.isLeading(), { timeout: 3 * TTL }).toBe(true);
    expect(performance.now() - cutAt).toBeLessThan(2 * TTL + 1_000);
    expect(b.leadership.epoch()).toBe(2);
    // a stays up as a standby and cannot take the lease back while b renews it.
    a.cut.value = false;
    await new Promise((resolve) => setTimeout(resolve, TTL));
    expect(a.leadership.role()).toBe("standby");
    expect(a.events).toEqual(["lead 1", "down: the lease could not be renewed in time"]);
  });

  it("treats a leader whose clock jumped past its lease (a paused process) as not leading at once", async () => {
    const pool = await migratedPool(cluster());
    const a = contender(pool, "a");
    await expect.poll(() => a.leadership.isLeading()).toBe(true);
    a.jump.value = TTL;
    // No timer has run yet: the check itself refuses, so no poll or send can slip through.
    expect(a.leadership.isLeading()).toBe(false);
  });
});
