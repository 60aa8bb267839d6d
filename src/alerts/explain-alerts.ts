import type { ResolvedConfig } from "../config/types.js";
import { describeRule, describeWindow, durationInWords } from "./describe-rule.js";
import { nextOccurrenceStart } from "./maintenance.js";
import { type Silence, type SilenceMatch, silenceCovers } from "./silence.js";

export interface AlertsExplained {
  /** One line per rule and window, in words. */
  lines: string[];
  /** Rules, windows and silences that match no watched session: likely a typo. */
  warnings: string[];
}

/**
 * Whether `match` can cover any watched session. A `projects` entry's sessions are unknown until it
 * is listed, so there only the project and the labels are checked.
 */
function coversAny(config: ResolvedConfig, match: SilenceMatch | undefined): boolean {
  if (!match) return config.sessions.length > 0 || (config.projects?.length ?? 0) > 0;
  if (config.sessions.some((session) => silenceCovers(match, session))) return true;
  const { authSessionId: _id, sessions: named, ...rest } = match;
  return (config.projects ?? []).some(
    (project) =>
      silenceCovers(rest, { projectName: project.projectName, labels: project.labels }) &&
      (named === undefined || named.some((s) => s.projectName === project.projectName)),
  );
}

/** What `check` says about §8: each rule and window in words, and what matches nothing. */
export function explainAlerts(
  config: ResolvedConfig,
  silences: readonly Silence[],
  now: number,
): AlertsExplained {
  const lines: string[] = [];
  const warnings: string[] = [];
  (config.alerts ?? []).forEach((rule, i) => {
    lines.push(`rule ${rule.name}: ${describeRule(rule)}`);
    if (!coversAny(config, rule.match))
      warnings.push(`alerts[${i}] (${rule.name}) matches no watched session`);
  });
  (config.maintenance ?? []).forEach((window, i) => {
    const next = nextOccurrenceStart(window, now);
    const when = next === undefined ? "" : `; next opens ${new Date(next).toISOString()}`;
    lines.push(`window ${window.name}: ${describeWindow(window)}${when}`);
    if (!coversAny(config, window.match)) {
      warnings.push(`maintenance[${i}] (${window.name}) matches no watched session`);
    }
  });
  for (const silence of silences) {
    if (!coversAny(config, silence.match)) {
      warnings.push(`silence ${silence.id} (${silence.reason}) matches no watched session`);
    }
  }
  if (config.heartbeat) {
    lines.push(
      `heartbeat: a GET every ${durationInWords(config.heartbeat.everyMs)} while the daemon is healthy`,
    );
  }
  return { lines, warnings };
}
