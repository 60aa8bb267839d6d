import type { SessionState } from "../types.js";

export interface SessionMetricSource {
  key: string;
  workspaceId: string;
  projectName: string;
  authSessionId: string;
}

/** Label values escaped as the Prometheus text format requires. */
const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

const labelsOf = (session: SessionMetricSource, status: string) =>
  `{workspace_id="${escapeLabel(session.workspaceId)}",project="${escapeLabel(session.projectName)}",` +
  `session="${escapeLabel(session.authSessionId)}",status="${escapeLabel(status)}"}`;

/**
 * The per-session families as Prometheus text, one line at a time, so /metrics can stream them in
 * chunks: with 50,000 sessions, building them in one go (as prom-client's collect() does) held the
 * event loop for ~0.4 s. Each family is walked once over the same snapshot, keeping its samples together.
 */
export function* sessionMetricLines(
  sessions: readonly SessionMetricSource[],
  stateOf: (key: string) => SessionState | undefined,
): Generator<string> {
  yield "# HELP authwatch_session_status 1 for the current status of each watched session.\n";
  yield "# TYPE authwatch_session_status gauge\n";
  for (const session of sessions) {
    yield `authwatch_session_status${labelsOf(session, stateOf(session.key)?.status ?? "UNKNOWN")} 1\n`;
  }
  yield "# HELP authwatch_session_status_since_seconds When the session entered its current status (Unix time).\n";
  yield "# TYPE authwatch_session_status_since_seconds gauge\n";
  for (const session of sessions) {
    const state = stateOf(session.key);
    if (!state) continue;
    yield `authwatch_session_status_since_seconds${labelsOf(session, state.status)} ${state.since / 1000}\n`;
  }
}
