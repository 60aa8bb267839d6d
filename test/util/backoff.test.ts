import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/util/backoff.js";

const base = { min: 1_000, factor: 2, max: 20_000 };

describe("backoffDelay", () => {
  it("doubles from the first wait per attempt, up to the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      backoffDelay({ ...base, attempt, jitter: 0, random: Math.random }),
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000]);
  });

  it("stays within ± jitter of the exponential value, drawn from the random source it is given", () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const exact = Math.min(1_000 * 2 ** (attempt - 1), 20_000);
      const low = backoffDelay({ ...base, attempt, jitter: 0.1, random: () => 0 });
      const high = backoffDelay({ ...base, attempt, jitter: 0.1, random: () => 0.999_999_999 });
      expect(low).toBe(Math.round(exact * 0.9));
      expect(high).toBe(Math.round(exact * 1.1));
    }
  });

  it("treats an attempt below one as the first and does not overflow after very many", () => {
    expect(backoffDelay({ ...base, attempt: 0, jitter: 0, random: Math.random })).toBe(1_000);
    expect(backoffDelay({ ...base, attempt: 5_000, jitter: 0, random: Math.random })).toBe(20_000);
  });
});
