import type { SessionAlertsView } from "../alerts/alerts-view.js";
import type { SinkConfig, WatchedSession } from "../config/types.js";
import type { SinkView } from "../http/status-routes.js";
import type { PollHealth } from "../poll-health.js";
import type { StateStore } from "../store/state-store.js";
import type { SessionState } from "../types.js";

const isoOrNull = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());

/** One entry of /sessions (and a row of the status page). */
export function describeSession(
  session: WatchedSession,
  live: {
    state: SessionState | undefined;
    health: Pick<PollHealth, "failures" | "lastError">;
    lastPollAt: number | undefined;
    nextPollAt: number | undefined;
    alerts?: SessionAlertsView;
    /** Why its polls are held back now (`UNAUTHORIZED`, `RATE_LIMITED`), or null. */
    held?: string | null;
  },
) {
  const { state, health } = live;
  return {
    workspaceId: session.workspaceId,
    projectName: session.projectName,
    authSessionId: session.authSessionId,
    status: state?.status ?? null,
    sessionType: state?.sessionType ?? null,
    since: state ? new Date(state.since).toISOString() : null,
    labels: session.labels,
    failures: health.failures,
    lastError: health.lastError,
    lastPollAt: isoOrNull(live.lastPollAt),
    nextPollAt: isoOrNull(live.nextPollAt),
    held: live.held ?? null,
    ...live.alerts,
  };
}

/** Each configured sink's delivery state, for /sinks and the status page. */
export async function describeSinks(
  sinks: readonly SinkConfig[],
  store: Pick<StateStore, "sinkStates">,
): Promise<SinkView[]> {
  const states = (await store.sinkStates?.()) ?? {};
  return sinks.map((sink) => ({
    name: sink.name,
    type: sink.type,
    pending: states[sink.name]?.pending ?? 0,
    dead: states[sink.name]?.dead ?? 0,
    disabled: states[sink.name]?.disabled ?? 0,
    disabledReason: states[sink.name]?.disabledReason ?? null,
  }));
}
