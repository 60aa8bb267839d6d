import type { AlertProgress } from "../alerts/evaluate-rule.js";
import type { Silence, SilenceMatch } from "../alerts/silence.js";
import { type AlertProgressChange, alertProgressKey } from "../store/alert-tables.js";
import type { Queryable } from "./queryable.js";

interface ProgressRow {
  rule: string;
  session_key: string;
  since: string;
  reminders: number;
  last_at: string;
}

interface SilenceRow {
  id: string;
  match: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  created_at: string;
}

/** Alert rules' progress and silences on PostgreSQL (migration 2): the same rows as SQLite's v4. `s` is the quoted schema. */
export function createPgAlertTables(s: string) {
  return {
    async loadProgress(db: Queryable): Promise<Map<string, AlertProgress>> {
      const { rows } = await db.query<ProgressRow>(
        `SELECT rule, session_key, since, reminders, last_at FROM ${s}.alert_progress`,
      );
      // BIGINT arrives as a string; epoch ms fit a double exactly.
      return new Map(
        rows.map((row) => [
          alertProgressKey(row.rule, row.session_key),
          { since: Number(row.since), reminders: row.reminders, lastAt: Number(row.last_at) },
        ]),
      );
    },

    /** Runs inside the commit's fenced transaction, with the alert event it goes with. */
    async saveProgress(db: Queryable, { rule, sessionKey, progress }: AlertProgressChange): Promise<void> {
      if (progress === null) {
        await db.query(`DELETE FROM ${s}.alert_progress WHERE rule = $1 AND session_key = $2`, [
          rule,
          sessionKey,
        ]);
        return;
      }
      await db.query(
        `INSERT INTO ${s}.alert_progress (rule, session_key, since, reminders, last_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (rule, session_key) DO UPDATE SET since = excluded.since, reminders = excluded.reminders,
           last_at = excluded.last_at`,
        [rule, sessionKey, Math.round(progress.since), progress.reminders, Math.round(progress.lastAt)],
      );
    },

    async addSilence(db: Queryable, silence: Silence): Promise<void> {
      await db.query(
        `INSERT INTO ${s}.silences (id, match, starts_at, ends_at, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          silence.id,
          JSON.stringify(silence.match),
          Math.round(silence.startsAt),
          Math.round(silence.endsAt),
          silence.reason,
          Math.round(silence.createdAt),
        ],
      );
    },

    /** Ends a silence in force at `now`; false when none such is in force (unknown, ended, removed). */
    async removeSilence(db: Queryable, id: string, now: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE ${s}.silences SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL AND ends_at > $2`,
        [id, Math.round(now)],
      );
      return (rowCount ?? 0) > 0;
    },

    /** Silences not removed and not yet ended at `now` (future ones included), soonest end first. */
    async currentSilences(db: Queryable, now: number): Promise<Silence[]> {
      const { rows } = await db.query<SilenceRow>(
        `SELECT id, match, starts_at, ends_at, reason, created_at FROM ${s}.silences
         WHERE removed_at IS NULL AND ends_at > $1 ORDER BY ends_at, id`,
        [Math.round(now)],
      );
      return rows.map((row) => ({
        id: row.id,
        match: JSON.parse(row.match) as SilenceMatch,
        startsAt: Number(row.starts_at),
        endsAt: Number(row.ends_at),
        reason: row.reason,
        createdAt: Number(row.created_at),
      }));
    },
  };
}
