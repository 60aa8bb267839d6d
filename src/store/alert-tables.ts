import type { Database, Statement } from "better-sqlite3";
import type { AlertProgress } from "../alerts/evaluate-rule.js";
import type { Silence, SilenceMatch } from "../alerts/silence.js";

/** A rule's progress for one session, as stored: one row per (rule, session). */
export interface AlertProgressChange {
  rule: string;
  sessionKey: string;
  /** Null deletes the row (the stretch was resolved). */
  progress: AlertProgress | null;
}

export interface AlertTables {
  /** Keyed by alertProgressKey(rule, sessionKey). */
  loadProgress(): Map<string, AlertProgress>;
  saveProgress(change: AlertProgressChange): void;
  addSilence(silence: Silence): void;
  /** Marks it removed (kept for `silence list --all`-style audits); false when unknown or already over. */
  removeSilence(id: string, now: number): boolean;
  /** Silences not removed and not yet ended at `now` (including future ones), soonest end first. */
  currentSilences(now: number): Silence[];
}

export function alertProgressKey(rule: string, sessionKey: string): string {
  return `${rule}\u0000${sessionKey}`;
}

interface ProgressRow {
  rule: string;
  session_key: string;
  since: number;
  reminders: number;
  last_at: number;
}

interface SilenceRow {
  id: string;
  match: string;
  starts_at: number;
  ends_at: number;
  reason: string;
  created_at: number;
}

/**
 * The SQLite side of alert rules and silences (schema v4). Statements are prepared on first use: a
 * file opened read-only before the daemon migrated it has no such tables, and `history` must still open it.
 */
export function createAlertTables(db: Database): AlertTables {
  const cache = new Map<string, Statement>();
  const statement = (sql: string): Statement => {
    let prepared = cache.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      cache.set(sql, prepared);
    }
    return prepared;
  };

  return {
    loadProgress() {
      const progress = new Map<string, AlertProgress>();
      const rows = statement(
        "SELECT rule, session_key, since, reminders, last_at FROM alert_progress",
      ).all() as ProgressRow[];
      for (const row of rows) {
        progress.set(alertProgressKey(row.rule, row.session_key), {
          since: row.since,
          reminders: row.reminders,
          lastAt: row.last_at,
        });
      }
      return progress;
    },
    saveProgress({ rule, sessionKey, progress }) {
      if (progress === null) {
        statement("DELETE FROM alert_progress WHERE rule = ? AND session_key = ?").run(rule, sessionKey);
        return;
      }
      statement(
        `INSERT INTO alert_progress (rule, session_key, since, reminders, last_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (rule, session_key) DO UPDATE SET since = excluded.since, reminders = excluded.reminders,
           last_at = excluded.last_at`,
      ).run(rule, sessionKey, progress.since, progress.reminders, progress.lastAt);
    },
    addSilence(silence) {
      statement(
        "INSERT INTO silences (id, match, starts_at, ends_at, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(
        silence.id,
        JSON.stringify(silence.match),
        silence.startsAt,
        silence.endsAt,
        silence.reason,
        silence.createdAt,
      );
    },
    removeSilence(id, now) {
      return (
        statement(
          "UPDATE silences SET removed_at = ? WHERE id = ? AND removed_at IS NULL AND ends_at > ?",
        ).run(now, id, now).changes > 0
      );
    },
    currentSilences(now) {
      const rows = statement(
        `SELECT id, match, starts_at, ends_at, reason, created_at FROM silences
         WHERE removed_at IS NULL AND ends_at > ? ORDER BY ends_at, id`,
      ).all(now) as SilenceRow[];
      return rows.map((row) => ({
        id: row.id,
        match: JSON.parse(row.match) as SilenceMatch,
        startsAt: row.starts_at,
        endsAt: row.ends_at,
        reason: row.reason,
        createdAt: row.created_at,
      }));
    },
  };
}
