import { AuthwatchError, EXIT } from "../errors/authwatch-error.js";
import type { ErrorCode } from "../errors/codes.js";
import { describeFailure } from "./describe.js";
import type { WaitFailureReason, WaitReport } from "./types.js";

const CODES: Record<WaitFailureReason, ErrorCode> = {
  timeout: "WAIT_TIMEOUT",
  api_failing: "WAIT_API_FAILING",
  ended_early: "WAIT_ENDED_EARLY",
  unauthorized: "UNAUTHORIZED",
  aborted: "ABORTED",
};

const EXIT_CODES: Record<Exclude<WaitFailureReason, "aborted">, number> = {
  timeout: EXIT.FAILURE,
  api_failing: EXIT.API_FAILING,
  ended_early: EXIT.ENDED_EARLY,
  unauthorized: EXIT.UNAUTHORIZED,
};

/**
 * Why a wait did not reach its status, with everything it last saw. `exitCode` is the `wait`
 * command's (README, Commands), so a script learns what happened without parsing text.
 */
export class WaitError extends AuthwatchError {
  override name = "WaitError";
  readonly reason: WaitFailureReason;
  readonly report: WaitReport;

  constructor(reason: WaitFailureReason, report: WaitReport, options: { cause?: unknown } = {}) {
    super(CODES[reason], describeFailure(reason, report, options.cause), {
      cause: options.cause,
      exitCode: reason === "aborted" ? abortExitCode(options.cause) : EXIT_CODES[reason],
    });
    this.reason = reason;
    this.report = report;
  }
}

/** A signal's reason may carry the exit code (the CLI aborts with 130 or 143); otherwise Ctrl-C's. */
function abortExitCode(cause: unknown): number {
  return cause instanceof AuthwatchError ? cause.exitCode : EXIT.SIGINT;
}
