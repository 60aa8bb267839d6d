import { type SessionRef, type SessionState, sessionKey } from "../types.js";
import { StaleSessionError } from "./fenced-error.js";
import { ms } from "./pg-outbox.js";
import type { Queryable } from "./queryable.js";

interface SessionRow {
  session_key: string;
  status: string;
  session_type: string | null;
  since: string;
  version: string;
}

/**
 * Session rows on PostgreSQL, written by compare-and-set: each write names the version the writer
 * read (0: it believes the row does not exist) and fails unless the row is still at that version.
 * `s` is the quoted schema; `versions` is the writer's memory of what it read and wrote.
 */
export function createPgSessionStates(s: string) {
  const versions = new Map<string, number>();
  return {
    async load(db: Queryable): Promise<Map<string, SessionState>> {
      const { rows } = await db.query<SessionRow>(
        `SELECT session_key, status, session_type, since, version FROM ${s}.sessions`,
      );
      const states = new Map<string, SessionState>();
      versions.clear();
      for (const row of rows) {
        states.set(row.session_key, {
          status: row.status,
          sessionType: row.session_type,
          since: Number(row.since),
        });
        versions.set(row.session_key, Number(row.version));
      }
      return states;
    },

    /**
     * Writes the last state of each session in `changes` in one statement; throws StaleSessionError
     * (the caller rolls back) when any row moved since it was read. Returns the new versions, to be
     * kept with `remember` once the transaction commits.
     */
    async write(
      db: Queryable,
      changes: readonly { ref: SessionRef; state: SessionState }[],
    ): Promise<Map<string, number>> {
      const last = new Map<string, { ref: SessionRef; state: SessionState }>();
      for (const change of changes) last.set(sessionKey(change.ref), change);
      if (last.size === 0) return new Map();
      const keys = [...last.keys()];
      const items = [...last.values()];
      const { rows } = await db.query<{ session_key: string; version: string }>(
        `INSERT INTO ${s}.sessions AS cur
           (session_key, workspace_id, project_name, auth_session_id, status, session_type, since, version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::bigint[], $8::bigint[])
         ON CONFLICT (session_key) DO UPDATE SET
           status = excluded.status, session_type = excluded.session_type, since = excluded.since,
           version = excluded.version
         WHERE cur.version = excluded.version - 1
         RETURNING session_key, version`,
        [
          keys,
          items.map((item) => item.ref.workspaceId),
          items.map((item) => item.ref.projectName),
          items.map((item) => item.ref.authSessionId),
          items.map((item) => item.state.status),
          items.map((item) => item.state.sessionType),
          items.map((item) => ms(item.state.since)),
          keys.map((key) => (versions.get(key) ?? 0) + 1),
        ],
      );
      if (rows.length !== keys.length) {
        const written = new Set(rows.map((row) => row.session_key));
        throw new StaleSessionError(keys.filter((key) => !written.has(key)));
      }
      return new Map(rows.map((row) => [row.session_key, Number(row.version)]));
    },

    remember(written: Map<string, number>): void {
      for (const [key, version] of written) versions.set(key, version);
    },
  };
}
