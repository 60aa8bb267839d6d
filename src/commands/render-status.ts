import { formatTable } from "../cli/table.js";
import { formatDuration } from "../duration.js";
import { terminalText } from "../util/terminal-text.js";
import type { SessionStatusRow } from "./status.js";

/** The human table of `authwatch status`: one row per session, failures shown in place of a status. */
export function renderStatusTable(rows: readonly SessionStatusRow[], now: number): string {
  if (rows.length === 0) return "No sessions in the watchlist.\n";
  return formatTable(
    ["PROJECT", "SESSION", "TYPE", "STATUS", "SINCE"],
    rows.map((row) => [
      row.projectName,
      row.authSessionId,
      row.sessionType ?? "-",
      row.status ?? `ERROR ${row.error?.code ?? ""}`.trim(),
      row.since ? `${row.since} (${formatDuration(now - Date.parse(row.since))} ago)` : "-",
    ]),
  );
}

/**
 * One stderr line per distinct failure, naming the sessions it hit (the first few), so a wrong key
 * reads as one clear line, not a wall of rows.
 */
export function summarizeFailures(rows: readonly SessionStatusRow[]): string[] {
  const byMessage = new Map<string, string[]>();
  for (const row of rows) {
    if (!row.error) continue;
    const key = terminalText(`${row.error.code}: ${row.error.message.replace(/ \(GET [^)]*\)$/, "")}`);
    byMessage.set(key, [...(byMessage.get(key) ?? []), `${row.projectName}/${row.authSessionId}`]);
  }
  return [...byMessage].map(([message, names]) => {
    const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? `, and ${names.length - 3} more` : "");
    return `${names.length} session${names.length === 1 ? "" : "s"} failed (${shown}): ${message}`;
  });
}
