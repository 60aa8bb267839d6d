import type { ErrorCode } from "./codes.js";

/** Exit codes, as the README's command table lists them. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  ENDED_EARLY: 3,
  UNAUTHORIZED: 4,
  API_FAILING: 5,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export interface AuthwatchErrorOptions {
  cause?: unknown;
  exitCode?: number;
}

/**
 * Base of every expected error. The CLI prints `message` as one line and exits with `exitCode`;
 * anything that is not an AuthwatchError is a bug and gets a stack trace.
 */
export class AuthwatchError extends Error {
  override name = "AuthwatchError";
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: AuthwatchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.FAILURE;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
