import { existsSync } from "node:fs";
import type { SessionAlertsView } from "../alerts/alerts-view.js";
import { activeOccurrence } from "../alerts/maintenance.js";
import { findSilenceFor, type Silence } from "../alerts/silence.js";
import type { ResolvedConfig } from "../config/types.js";
import { alertProgressKey } from "../store/alert-tables.js";
import { openStore } from "../store/store.js";
import { projectKey, type SessionState } from "../types.js";
import type { SessionStatusRow } from "./status.js";

/**
 * For `status`: per session, the rules the daemon has found overdue (from its state file) and the
 * silence or maintenance window in force now. Undefined when no rule, window or silence exists, so
 * the output of a watchlist without §8 keeps its shape.
 */
export function readAlertsForStatus(
  config: ResolvedConfig,
  now: number,
): ((row: SessionStatusRow) => SessionAlertsView) | undefined {
  const rules = config.alerts ?? [];
  let progress = new Map<string, { since: number; reminders: number }>();
  let states = new Map<string, SessionState>();
  let silences: Silence[] = [];
  if (existsSync(config.statePath)) {
    try {
      const store = openStore(config.statePath, { readOnly: true });
      try {
        states = store.loadSessions();
        silences = store.currentSilences(now);
        if (rules.length > 0) progress = store.loadAlertProgress();
      } finally {
        store.close();
      }
    } catch {
      // A state file the daemon has not migrated (or this user cannot read) has nothing to add.
    }
  }
  const windows = (config.maintenance ?? []).flatMap((window) => activeOccurrence(window, now) ?? []);
  const active = [...silences, ...windows];
  if (rules.length === 0 && active.length === 0) return undefined;
  const labelsOf = new Map(config.sessions.map((session) => [session.key, session.labels]));
  // A session found through a `projects` entry carries that entry's labels, as in the daemon.
  const projectLabels = new Map(config.projects.map((project) => [project.key, project.labels]));

  return (row) => {
    const key = `${row.workspaceId}/${row.projectName}/${row.authSessionId}`;
    const state = states.get(key);
    const overdue = rules.flatMap((rule) => {
      const stretch = progress.get(alertProgressKey(rule.name, key));
      // Only while the status the daemon alerted about still holds, as this poll sees it.
      if (!stretch || !state || stretch.since !== state.since || row.status !== rule.status) return [];
      return [
        {
          rule: rule.name,
          since: new Date(stretch.since + rule.forMs).toISOString(),
          reminders: stretch.reminders,
        },
      ];
    });
    const labels = labelsOf.get(key) ?? projectLabels.get(projectKey(row.workspaceId, row.projectName)) ?? {};
    const silence = findSilenceFor(active, { ...row, labels }, now);
    return {
      overdue,
      silenced: silence
        ? { id: silence.id, until: new Date(silence.endsAt).toISOString(), reason: silence.reason }
        : null,
    };
  };
}

/** Lines under the status table: `billing/login-1: overdue since … (rule stuck-pending, 2 alerts); silenced …`. */
export function describeAlertsForStatus(
  rows: ReadonlyArray<SessionStatusRow & Partial<SessionAlertsView>>,
): string[] {
  return rows.flatMap((row) => {
    const parts = (row.overdue ?? []).map(
      (o) => `overdue since ${o.since} (rule ${o.rule}, ${o.reminders} alert${o.reminders === 1 ? "" : "s"})`,
    );
    if (row.silenced)
      parts.push(`silenced by ${row.silenced.id} until ${row.silenced.until} (${row.silenced.reason})`);
    return parts.length === 0 ? [] : [`${row.projectName}/${row.authSessionId}: ${parts.join("; ")}`];
  });
}
