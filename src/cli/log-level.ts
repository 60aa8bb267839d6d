import { UsageError } from "../errors/usage-error.js";
import type { CommandIO, GlobalOptions } from "./command-io.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** `--log-level` > AUTHWATCH_LOG_LEVEL > info; a bad variable is a usage error, not pino's stack trace. */
export function resolveLogLevel(global: GlobalOptions, io: CommandIO): string {
  if (global.logLevel) return global.logLevel;
  const fromEnv = io.env.AUTHWATCH_LOG_LEVEL?.trim();
  if (!fromEnv) return "info";
  if (!(LOG_LEVELS as readonly string[]).includes(fromEnv)) {
    throw new UsageError(
      `AUTHWATCH_LOG_LEVEL "${fromEnv}" is not a log level; use one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  return fromEnv;
}
