import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

export interface LoggerSettings {
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream and read the lines back as JSON. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty); defaults to whether stdout is a TTY. */
  pretty?: boolean;
  /** Colours in pretty lines; default true (the CLI turns them off for NO_COLOR). */
  colorize?: boolean;
}

/**
 * Secrets are kept out of log objects by construction; these paths are the second line of defence.
 * pino's redaction is case-sensitive and `*` spans one level, hence the explicit list.
 */
const REDACT_PATHS = [
  "apiKey",
  "*.apiKey",
  "secret",
  "*.secret",
  "headers['x-api-key']",
  "*.headers['x-api-key']",
  "headers.authorization",
  "*.headers.authorization",
];

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    name: "authwatch",
    level: settings.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
  };
  if (settings.destination) return pino(options, settings.destination);
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: "pino-pretty",
        options: {
          colorize: settings.colorize ?? true,
          translateTime: "SYS:HH:MM:ss.l",
          ignore: "pid,hostname,name,sink",
          singleLine: true,
        },
      },
    });
  }
  const stdout = pino.destination({ dest: 1, sync: false });
  // When whatever reads stdout goes away (a closed pipe), log lines are lost, but the daemon must
  // neither crash on the EPIPE nor stall behind it.
  stdout.on("error", () => {});
  return pino(options, stdout);
}

/** A logger that drops everything, for library callers that pass none. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
