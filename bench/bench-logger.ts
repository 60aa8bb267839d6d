import { pino } from "pino";
import { createLogger, type Logger } from "../src/logger.js";

/**
 * The daemon's own logger at its default level (info), writing to /dev/null: log lines still cost
 * what they cost in production (serialising, redaction), they just land nowhere.
 */
export function createBenchLogger(): Logger {
  return createLogger({ level: "info", destination: pino.destination({ dest: "/dev/null", sync: false }) });
}
