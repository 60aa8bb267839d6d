import { describe, expect, it } from "vitest";
import { createKeyGate } from "../../src/scheduler/key-gate.js";
import { createRateLimiter } from "../../src/scheduler/rate-limiter.js";

describe("rate limiter", () => {
  it("allows a burst of `rate` requests, then one per 1/rate seconds", () => {
    const limiter = createRateLimiter(5);
    const granted: number[] = [];
    for (let now = 0; now <= 1_000; now += 50) {
      while (limiter.tryTake(now)) granted.push(now);
    }
    expect(granted).toEqual([0, 0, 0, 0, 0, 200, 400, 600, 800, 1_000]);
  });

  it("says when the next request is allowed", () => {
    const limiter = createRateLimiter(2);
    expect(limiter.tryTake(0)).toBe(true);
    expect(limiter.tryTake(0)).toBe(true);
    expect(limiter.tryTake(0)).toBe(false);
    expect(limiter.availableAt(0)).toBe(500);
    expect(limiter.tryTake(499)).toBe(false);
    expect(limiter.tryTake(500)).toBe(true);
  });

  it("refills no higher than the burst after a long idle time", () => {
    const limiter = createRateLimiter(3);
    let granted = 0;
    while (limiter.tryTake(60_000)) granted++;
    expect(granted).toBe(3);
  });

  it("rejects a rate that is not positive", () => {
    expect(() => createRateLimiter(0)).toThrow(RangeError);
  });
});

describe("key gate", () => {
  it("stays closed while paused, and a shorter extension does not shorten the pause", () => {
    const gate = createKeyGate(10);
    gate.extendPause(30_000);
    gate.extendPause(5_000);
    expect(gate.isOpen(29_999)).toBe(false);
    expect(gate.openAt(1_000)).toBe(30_000);
    expect(gate.isOpen(30_000)).toBe(true);
  });

  it("lifts a pause on resume, however long it was meant to last", () => {
    const gate = createKeyGate(10);
    gate.extendPause(60_000);
    expect(gate.isOpen(1_000)).toBe(false);
    gate.resume();
    expect(gate.isOpen(1_000)).toBe(true);
  });

  it("closes once its budget is spent and reopens when a token is back", () => {
    const gate = createKeyGate(1);
    gate.take(0);
    expect(gate.isOpen(0)).toBe(false);
    expect(gate.openAt(0)).toBe(1_000);
  });
});
