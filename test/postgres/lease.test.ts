import { describe, expect, it, onTestFinished } from "vitest";
import { acquireLease, readLease, releaseLease } from "../../src/postgres/lease.js";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";
import { migratedPool } from "./fixtures.js";

noteWhenPostgresMissing("test/postgres/lease.test.ts");

describe.skipIf(!postgresAvailable)("the leader lease on the database clock", () => {
  const cluster = usePostgresCluster();

  it("goes to exactly one of two contenders claiming at once, with epoch 1", async () => {
    const pool = await migratedPool(cluster());
    const [a, b] = await Promise.all([
      acquireLease(pool, "authwatch", "a", 10_000),
      acquireLease(pool, "authwatch", "b", 10_000),
    ]);
    const winners = [a, b].filter((grant) => grant !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.epoch).toBe(1);
  });

  it("is renewed by its holder with the same epoch and refused to another while it lasts", async () => {
    const pool = await migratedPool(cluster());
    expect(await acquireLease(pool, "authwatch", "a", 10_000)).toEqual({ holder: "a", epoch: 1 });
    const before = await readLease(pool, "authwatch");
    expect(await acquireLease(pool, "authwatch", "b", 10_000)).toBeNull();
    expect(await acquireLease(pool, "authwatch", "a", 20_000)).toEqual({ holder: "a", epoch: 1 });
    const after = await readLease(pool, "authwatch");
    expect(after?.holder).toBe("a");
    // The renewal moved the expiry forward on the database clock.
    expect(after!.remainingMs).toBeGreaterThan(before!.remainingMs + 5_000);
  });

  it("passes to another holder once expired, and the epoch grows with each new holder", async () => {
    const pool = await migratedPool(cluster());
    expect(await acquireLease(pool, "authwatch", "a", 200)).toEqual({ holder: "a", epoch: 1 });
    await expect
      .poll(() => acquireLease(pool, "authwatch", "b", 200), { timeout: 5_000 })
      .toEqual({
        holder: "b",
        epoch: 2,
      });
    // The old holder cannot renew a lease that is now someone else's.
    expect(await acquireLease(pool, "authwatch", "a", 200)).toBeNull();
    await expect
      .poll(() => acquireLease(pool, "authwatch", "a", 10_000), { timeout: 5_000 })
      .toEqual({
        holder: "a",
        epoch: 3,
      });
  });

  it("is free at once after its holder releases it", async () => {
    const pool = await migratedPool(cluster());
    await acquireLease(pool, "authwatch", "a", 60_000);
    await releaseLease(pool, "authwatch", "b"); // not the holder: no effect
    expect(await acquireLease(pool, "authwatch", "b", 60_000)).toBeNull();
    await releaseLease(pool, "authwatch", "a");
    expect(await acquireLease(pool, "authwatch", "b", 60_000)).toEqual({ holder: "b", epoch: 2 });
  });

  it("uses the clock at the statement, not the frozen start of a long transaction", async () => {
    const pool = await migratedPool(cluster());
    await acquireLease(pool, "authwatch", "a", 300);
    const client = await pool.connect();
    onTestFinished(() => client.release());
    await client.query("BEGIN");
    // now() would still be the time of BEGIN here, before the lease expired.
    await client.query("SELECT pg_sleep(0.5)");
    expect(await acquireLease(client, "authwatch", "b", 300)).toEqual({ holder: "b", epoch: 2 });
    await client.query("COMMIT");
  });
});
