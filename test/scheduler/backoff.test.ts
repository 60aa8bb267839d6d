import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/scheduler/backoff.js";

const base = { minMs: 1_000, factor: 2, maxMs: 20_000 };

describe("backoffDelay", () => {
  it("doubles from one second per consecutive failure, up to the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((failures) =>
      backoffDelay(failures, { ...base, jitter: 0, random: Math.random }),
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000]);
  });

  it("stays within ± jitter of the exponential value", () => {
    for (let failures = 1; failures <= 6; failures++) {
      const exact = Math.min(1_000 * 2 ** (failures - 1), 20_000);
      const low = backoffDelay(failures, { ...base, jitter: 0.1, random: () => 0 });
      const high = backoffDelay(failures, { ...base, jitter: 0.1, random: () => 0.999_999_999 });
      expect(low).toBe(Math.round(exact * 0.9));
      expect(high).toBe(Math.round(exact * 1.1));
    }
  });

  it("does not overflow after very many failures", () => {
    expect(backoffDelay(5_000, { ...base, jitter: 0, random: Math.random })).toBe(20_000);
  });
});
