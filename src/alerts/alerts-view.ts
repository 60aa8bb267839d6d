import type { WatchedSession } from "../config/types.js";
import type { AlertRuntime } from "./alert-runtime.js";

/** What `/sessions` (and `status`) show per session about §8: overdue rules and the silence in force. */
export interface SessionAlertsView {
  overdue: Array<{ rule: string; since: string; reminders: number }>;
  silenced: { id: string; until: string; reason: string } | null;
}

export function alertsView(alerts: AlertRuntime | undefined, session: WatchedSession): SessionAlertsView {
  const silence = alerts?.silenceOf(session);
  return {
    overdue: (alerts?.overdueOf(session.key) ?? []).map((rule) => ({
      rule: rule.rule,
      since: new Date(rule.overdueSince).toISOString(),
      reminders: rule.reminders,
    })),
    silenced: silence
      ? { id: silence.id, until: new Date(silence.endsAt).toISOString(), reason: silence.reason }
      : null,
  };
}
