import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { createSink } from "../../src/sinks/create-sink.js";
import { attemptContext, commandConfig, consoleConfig, EXPIRED, webhookConfig } from "./fixtures.js";
import { startReceiver } from "./receiver.js";

describe("createSink", () => {
  const logger = createLogger({ destination: { write: () => undefined } });

  it("builds a console sink that writes at once", () => {
    const sink = createSink(consoleConfig(), { logger });
    expect(sink.config.type).toBe("console");
    expect(sink.durable).toBe(false);
  });

  it("builds a durable command sink", () => {
    const sink = createSink(commandConfig([process.execPath, "-e", ""]), { logger });
    expect(sink.config.type).toBe("command");
    expect(sink.durable).toBe(true);
  });

  it("builds a durable webhook sink that posts to its URL with the given user agent", async () => {
    const receiver = await startReceiver();
    try {
      const sink = createSink(webhookConfig(`${receiver.origin}/hook`), {
        logger,
        userAgent: "authwatch-test/1",
      });
      expect(sink.durable).toBe(true);
      expect(await sink.deliver(EXPIRED, attemptContext())).toEqual({ kind: "delivered", status: 200 });
      await sink.close?.();
      expect(receiver.requests[0]?.headers["user-agent"]).toBe("authwatch-test/1");
    } finally {
      await receiver.close();
    }
  });

  it("hands command sinks the given environment", async () => {
    const script = "process.exit(process.env.ONLY_IN_DEPS === 'yes' ? 0 : 7)";
    const sink = createSink(commandConfig([process.execPath, "-e", script]), {
      logger,
      env: { ONLY_IN_DEPS: "yes" },
    });
    expect(await sink.deliver(EXPIRED, attemptContext())).toEqual({ kind: "delivered" });
  });
});
