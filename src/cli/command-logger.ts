import { UsageError } from "../errors/usage-error.js";
import { createLogger, type Logger } from "../logger.js";
import type { CommandIO, GlobalOptions } from "./command-io.js";
import { resolveLogLevel } from "./log-level.js";

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `--log-format` > AUTHWATCH_LOG_FORMAT > pretty on a TTY, JSON otherwise. */
export function resolveLogFormat(global: GlobalOptions, io: CommandIO): LogFormat {
  const chosen = global.logFormat ?? io.env.AUTHWATCH_LOG_FORMAT?.trim();
  if (chosen === undefined || chosen === "") return io.stdout.isTTY ? "pretty" : "json";
  if (!(LOG_FORMATS as readonly string[]).includes(chosen)) {
    throw new UsageError(`AUTHWATCH_LOG_FORMAT "${chosen}" is not a log format; use json or pretty`);
  }
  return chosen as LogFormat;
}

/**
 * The logger of a command that logs (watch, demo): level and format from flags and environment;
 * pretty lines are coloured unless NO_COLOR is set to anything but "" (no-color.org).
 */
export function createCommandLogger(global: GlobalOptions, io: CommandIO): Logger {
  return createLogger({
    level: resolveLogLevel(global, io),
    pretty: resolveLogFormat(global, io) === "pretty",
    colorize: !io.env.NO_COLOR,
  });
}
