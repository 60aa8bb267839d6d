import { formatDuration } from "../duration.js";
import { terminalText } from "../util/terminal-text.js";
import type { WaitFailureReason, WaitReport, WaitSessionState } from "./types.js";

export function sessionName(session: WaitSessionState): string {
  return terminalText(`${session.projectName}/${session.authSessionId}`);
}

/**
 * "PENDING, seen for 12s", "no answer yet": what a person needs to know of one session, in a few
 * words. The wait knows only when it first saw a status, not when the status began, so it says
 * "seen for" and leaves out durations too short to mean anything.
 */
export function describeLastSeen(session: WaitSessionState, now: number): string {
  const seenFor = session.since === null ? 0 : Math.max(0, now - session.since);
  const seen =
    session.status === null
      ? "no answer yet"
      : `${session.status}${seenFor >= 1_000 ? `, seen for ${formatDuration(seenFor)}` : ""}`;
  // Status and error text come from the API: shown, never acted on by the terminal.
  return terminalText(
    session.lastError === null
      ? seen
      : `${seen}, last poll failed: ${session.lastError.code} ${session.lastError.message}`,
  );
}

/**
 * The one-line message of a failed wait: what happened, which sessions it concerns and what they
 * last showed, and what to do about it where there is something to do.
 */
export function describeFailure(reason: WaitFailureReason, report: WaitReport, cause: unknown): string {
  const now = report.startedAt + report.elapsedMs;
  const pending = report.sessions.filter((session) => !session.reached);
  const list = (sessions: WaitSessionState[]) =>
    sessions.map((session) => `${sessionName(session)} (${describeLastSeen(session, now)})`).join("; ");
  const after = formatDuration(report.elapsedMs);
  switch (reason) {
    case "timeout":
      return `timed out after ${after} waiting for ${report.for}: ${list(pending)}`;
    case "api_failing":
      return `timed out after ${after} waiting for ${report.for} while the API was failing: ${list(pending)}`;
    case "ended_early": {
      const ended = report.sessions.filter(
        (session) => session.status === "EXPIRED" || session.status === "NOT_FOUND",
      );
      return `${list(ended)} cannot become ${report.for} without someone acting; pass --no-fail-fast to keep waiting anyway`;
    }
    case "unauthorized": {
      const refused = report.sessions.filter((session) => session.lastError?.code === "UNAUTHORIZED");
      const message = cause instanceof Error ? cause.message : "API key refused";
      return `${message}; waiting for ${refused.map(sessionName).join(", ")}`;
    }
    case "aborted": {
      const why = cause instanceof Error && cause.message ? cause.message : "aborted";
      return `${why} after ${after} waiting for ${report.for}: ${list(pending.length > 0 ? pending : report.sessions)}`;
    }
  }
}
