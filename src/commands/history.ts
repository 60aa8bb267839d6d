import { existsSync } from "node:fs";
import { describeOverdue } from "../alerts/describe-overdue.js";
import { formatTable } from "../cli/table.js";
import type { AuthwatchEvent } from "../events.js";
import type { StateStore } from "../store/state-store.js";
import { openStore } from "../store/store.js";
import type { HistoryEntry, HistoryOptions } from "../store/types.js";

export interface HistoryQuery {
  statePath: string;
  /** `project/sessionId`, matched in any workspace unless `workspaceId` is given. */
  target?: { projectName: string; authSessionId: string; workspaceId?: string | undefined };
  limit?: number;
  /** Only events at or after this time (epoch ms). */
  since?: number;
  /** Only events of these types. */
  types?: readonly string[];
}

/** Persisted events, oldest first; [] when the daemon has never written a state file. */
export function readHistory(query: HistoryQuery): HistoryEntry[] {
  if (!existsSync(query.statePath)) return [];
  const store = openStore(query.statePath, { readOnly: true });
  try {
    return selectHistory((options) => store.history(options), query);
  } finally {
    store.close();
  }
}

/** Events of any store (SQLite or PostgreSQL), oldest first, filtered as `query` asks. */
export async function readHistoryFrom(
  store: Pick<StateStore, "history">,
  query: Omit<HistoryQuery, "statePath">,
): Promise<HistoryEntry[]> {
  const all = await store.history(sessionOptions(query));
  return selectHistory(() => all, query);
}

function sessionOptions(query: Omit<HistoryQuery, "statePath">): HistoryOptions {
  const target = query.target;
  const filtered = query.since !== undefined || query.types !== undefined;
  if (!target?.workspaceId || filtered) return {};
  const sessionKey = `${target.workspaceId}/${target.projectName}/${target.authSessionId}`;
  return { sessionKey, ...(query.limit ? { limit: query.limit } : {}) };
}

function selectHistory(
  history: (options: HistoryOptions) => HistoryEntry[],
  query: Omit<HistoryQuery, "statePath">,
): HistoryEntry[] {
  const options = sessionOptions(query);
  if (options.sessionKey !== undefined) return history(options);
  const all = history({});
  const target = query.target;
  const suffix = target
    ? `${target.workspaceId ? target.workspaceId : ""}/${target.projectName}/${target.authSessionId}`
    : undefined;
  const matching = all.filter(
    (entry) =>
      (suffix === undefined || entry.sessionKey?.endsWith(suffix)) &&
      (query.since === undefined || entry.timestamp >= query.since) &&
      (query.types === undefined || query.types.includes(entry.type)),
  );
  return query.limit ? matching.slice(-query.limit) : matching;
}

function describe(event: AuthwatchEvent): string {
  const data = event.data;
  if ("to" in data) return `${data.from ?? "(first seen)"} → ${data.to}`;
  if ("failures" in data) return `${data.failures} failed polls${data.error ? `: ${data.error.code}` : ""}`;
  if (event.type === "authsession.overdue" || event.type === "authsession.overdue_resolved")
    return describeOverdue(event);
  if (event.type === "watcher.authorized") return `${event.data.keySource} accepted again`;
  return "error" in data ? data.error.code : "";
}

function subject(event: AuthwatchEvent): string {
  const data = event.data;
  if ("authSessionId" in data) return `${data.projectName}/${data.authSessionId}`;
  return "projectName" in data ? `${data.projectName} (project)` : `workspace ${data.workspaceId}`;
}

export function renderHistoryTable(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return "No events recorded yet.\n";
  return formatTable(
    ["TIME", "SESSION", "EVENT", "CHANGE", "DELIVERIES"],
    entries.map((entry) => [
      entry.event.timestamp,
      subject(entry.event),
      entry.type,
      describe(entry.event),
      entry.silencedBy
        ? `silenced (${entry.silencedBy})`
        : entry.deliveries
            .map((d) => `${d.sink}:${d.status}${d.status === "pending" ? `(${d.attempts} tries)` : ""}`)
            .join(" ") || "-",
    ]),
  );
}
