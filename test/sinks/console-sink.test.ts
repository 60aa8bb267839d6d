import { describe, expect, it } from "vitest";
import type { AuthwatchEvent } from "../../src/events.js";
import { createLogger } from "../../src/logger.js";
import { createConsoleSink } from "../../src/sinks/console-sink.js";
import {
  attemptContext,
  consoleConfig,
  EXPIRED,
  FIRST_READY,
  POLL_FAILING,
  UNAUTHORIZED,
} from "./fixtures.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ destination: { write: (line: string) => lines.push(JSON.parse(line)) } });
  return { lines, sink: createConsoleSink(consoleConfig({ name: "log" }), { logger }) };
}

const INFO = 30;
const WARN = 40;

describe("the console sink", () => {
  const table: Array<[AuthwatchEvent, number, string]> = [
    [EXPIRED, WARN, "authsession.expired my-project/auth-session-123 READY → EXPIRED"],
    [FIRST_READY, INFO, "authsession.ready billing/billing-login → READY (first observation)"],
    [
      POLL_FAILING,
      WARN,
      "authsession.poll_failing my-project/auth-session-123 after 3 failed polls, last error TIMEOUT: no answer within 10000ms (GET /123e/projects/my-project/auth-sessions/x)",
    ],
    [
      { ...POLL_FAILING, type: "authsession.poll_recovered" },
      INFO,
      "authsession.poll_recovered my-project/auth-session-123 polled again after 3 failed polls",
    ],
    [
      UNAUTHORIZED,
      WARN,
      "watcher.unauthorized workspace 123e4567-e89b-12d3-a456-426614174000: API key refused: HTTP 401; check the key and its workspace",
    ],
  ];
  for (const [event, level, msg] of table) {
    it(`logs ${event.type} as one line at ${level === WARN ? "warn" : "info"} carrying the whole event`, async () => {
      const { lines, sink } = capture();
      expect(await sink.deliver(event, attemptContext())).toEqual({ kind: "delivered" });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level, msg, sink: "log", event });
    });
  }

  it("is not durable: there is nothing to retry", () => {
    expect(capture().sink.durable).toBe(false);
  });
});
