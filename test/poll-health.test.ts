import { describe, expect, it } from "vitest";
import { HEALTHY, recordFailure, recordSuccess } from "../src/poll-health.js";

const error = { code: "SERVER_ERROR", message: "server error: HTTP 503" };

describe("poll health", () => {
  it("emits poll_failing exactly once, when consecutive failures reach the threshold", () => {
    let health = HEALTHY;
    const changes: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const result = recordFailure(health, error, 3);
      health = result.health;
      changes.push(result.change);
    }
    expect(changes).toEqual([null, null, "authsession.poll_failing", null, null]);
    expect(health).toEqual({ failures: 5, failing: true, lastError: error });
  });

  it("emits poll_recovered only after poll_failing, and resets the count", () => {
    const below = recordFailure(recordFailure(HEALTHY, error, 3).health, error, 3).health;
    expect(recordSuccess(below)).toEqual({ health: HEALTHY, change: null });
    const failing = recordFailure(below, error, 3).health;
    expect(recordSuccess(failing)).toEqual({ health: HEALTHY, change: "authsession.poll_recovered" });
  });
});
