import type { AlertRule, MaintenanceWindow, SinkMatch } from "../config/types.js";
import type { SilenceMatch } from "./silence.js";

const UNITS: Array<[number, string]> = [
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1_000, "second"],
];

/** "15 minutes", "1 hour 30 minutes", "500 milliseconds": durations for sentences. */
export function durationInWords(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [size, unit] of UNITS) {
    const count = Math.floor(rest / size);
    if (count === 0) continue;
    parts.push(`${count} ${unit}${count === 1 ? "" : "s"}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.join(" ") : `${ms} milliseconds`;
}

/** "every hour", "every 4 hours". */
function everyInWords(ms: number): string {
  const words = durationInWords(ms);
  return words.startsWith("1 ") && !words.includes(" ", 2) ? `every ${words.slice(2)}` : `every ${words}`;
}

/** "a session of project billing labelled team=growth", or "a session". */
export function describeMatch(match: SilenceMatch | SinkMatch | undefined): string {
  if (!match) return "a session";
  const parts: string[] = [];
  if ("sessions" in match && match.sessions && match.sessions.length > 0) {
    parts.push(`named ${match.sessions.map((s) => `${s.projectName}/${s.authSessionId}`).join(", ")}`);
  }
  if (match.project !== undefined) parts.push(`of project ${match.project}`);
  if (match.authSessionId !== undefined) parts.push(`with id ${match.authSessionId}`);
  const labels = Object.entries(match.labels ?? {}).map(([key, value]) => `${key}=${value}`);
  if (labels.length > 0) parts.push(`labelled ${labels.join(", ")}`);
  return parts.length === 0 ? "a session" : `a session ${parts.join(" ")}`;
}

/** `check` explains each rule: "alerts when a session has been PENDING for 15 minutes, then every hour". */
export function describeRule(rule: AlertRule): string {
  const then = rule.repeatMs === undefined ? ", once" : `, then ${everyInWords(rule.repeatMs)}`;
  return `alerts when ${describeMatch(rule.match)} has been ${rule.status} for ${durationInWords(rule.forMs)}${then}`;
}

export function describeWindow(window: MaintenanceWindow): string {
  const zone = window.timezone ?? "the system's time zone";
  return `silences ${describeMatch(window.match).replace(/^a session/, "every session")} for ${durationInWords(window.durationMs)} from each "${window.cron}" (${zone})`;
}
