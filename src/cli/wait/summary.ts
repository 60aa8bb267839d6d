import type { ErrorInfo } from "../../types.js";
import { terminalText } from "../../util/terminal-text.js";
import { describeLastSeen, sessionName } from "../../wait/describe.js";
import type { WaitReport, WaitResult } from "../../wait/types.js";

/** The `wait --json` document: everything a script needs to decide what to do next. */
export interface WaitJson {
  result: WaitResult;
  exitCode: number;
  for: string;
  elapsedMs: number;
  timeoutMs: number;
  /** Why the wait failed, as one line; null when it reached the status. */
  error: ErrorInfo | null;
  sessions: WaitSessionJson[];
}

export interface WaitSessionJson {
  workspaceId: string;
  projectName: string;
  authSessionId: string;
  status: string | null;
  sessionType: string | null;
  /** ISO 8601: when this status was first seen during the wait. */
  since: string | null;
  reached: boolean;
  lastError: ErrorInfo | null;
  polls: number;
}

export function toWaitJson(
  result: WaitResult,
  exitCode: number,
  report: WaitReport,
  error: ErrorInfo | null,
): WaitJson {
  return {
    result,
    exitCode,
    for: report.for,
    elapsedMs: report.elapsedMs,
    timeoutMs: report.timeoutMs,
    error,
    sessions: report.sessions.map((session) => ({
      workspaceId: session.workspaceId,
      projectName: session.projectName,
      authSessionId: session.authSessionId,
      status: session.status,
      sessionType: session.sessionType,
      since: session.since === null ? null : new Date(session.since).toISOString(),
      reached: session.reached,
      lastError: session.lastError,
      polls: session.polls,
    })),
  };
}

/** One line per session: status, since when (ISO and how long), type, polls, and the last error. */
export function summarizeSessions(report: WaitReport): string[] {
  const now = report.startedAt + report.elapsedMs;
  return report.sessions.map((session) => {
    const since = session.since === null ? "" : ` (first seen ${new Date(session.since).toISOString()})`;
    const type = session.sessionType === null ? "" : `, ${session.sessionType}`;
    const polls = `${session.polls} poll${session.polls === 1 ? "" : "s"}`;
    return terminalText(
      `  ${session.reached ? "\u2713" : "\u2717"} ${sessionName(session)}: ${describeLastSeen(session, now)}${since}${type}, ${polls}`,
    );
  });
}
