import { describe, expect, it } from "vitest";
import { runCliProcess } from "../helpers/run-cli-process.js";

describe("authwatch demo", () => {
  it("tells the whole story with no account, verifies every webhook and exits 0 well within 60 s", async () => {
    const started = Date.now();
    const result = await runCliProcess(["demo"], { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(elapsed).toBeLessThan(60_000);

    const summary =
      /Summary: (\d+) events, (\d+) webhook deliveries verified, (\d+) rejected, (\d+) retried/.exec(
        result.stdout,
      );
    expect(summary).not.toBeNull();
    const [, events, verified, rejected, retried] = summary!.map(Number);
    // 5 + 4 + 2 steps in the scripted timelines: every one is seen and delivered, signed.
    expect(events).toBe(11);
    expect(verified).toBe(events);
    expect(rejected).toBe(0);
    expect(retried).toBe(1);

    // The console sink logged every event as one JSON line carrying the whole body (stdout is not a TTY).
    const eventLines = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { event?: { type: string; data: { to?: string } } })
      .filter((line) => line.event);
    expect(eventLines).toHaveLength(events ?? -1);
    const checkout = eventLines
      .map((line) => line.event!)
      .filter((event) => (event.data as { authSessionId?: string }).authSessionId === "checkout-login")
      .map((event) => event.data.to);
    expect(checkout).toEqual(["PENDING", "READY", "EXPIRED", "PENDING", "READY"]);
  }, 70_000);
});
