import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logger.js";

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  text(): string;
}

/** A real pino logger whose JSON lines tests can read back. */
export function captureLog(level = "debug"): CapturedLog {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ level, destination: stream });
  return {
    logger,
    text: () => text,
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
