/**
 * An expected failure for a log line: what failed and its code, without a stack trace. For what is
 * away for a while and comes back by itself (a database restarting, a disk full): an outage repeats the
 * line every few seconds, and a stack trace there says nothing but makes the journal unreadable.
 * Unexpected errors (bugs) keep pino's `err` and their stack.
 */
export interface LoggedFailure {
  message: string;
  code?: string;
}

export function failureForLog(error: unknown): LoggedFailure {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { message: error.message, code } : { message: error.message };
}
