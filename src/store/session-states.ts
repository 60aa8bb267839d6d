import type { Database } from "better-sqlite3";
import { type SessionRef, type SessionState, sessionKey } from "../types.js";

interface SessionRow {
  session_key: string;
  status: string;
  session_type: string | null;
  since: number;
}

export interface SessionStates {
  load(): Map<string, SessionState>;
  upsert(ref: SessionRef, state: SessionState): void;
}

/** The last state of every session, one row each, keyed like `sessionKey(ref)`. */
export function createSessionStates(db: Database): SessionStates {
  const selectAll = db.prepare<[], SessionRow>(
    "SELECT session_key, status, session_type, since FROM sessions",
  );
  const upsert = db.prepare(
    `INSERT INTO sessions (session_key, workspace_id, project_name, auth_session_id, status, session_type, since)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (session_key) DO UPDATE SET
       status = excluded.status, session_type = excluded.session_type, since = excluded.since`,
  );

  return {
    load() {
      const states = new Map<string, SessionState>();
      // SQLite returns a new string per row: 100,000 copies of "READY" otherwise.
      const interned = new Map<string, string>();
      const intern = (value: string) => {
        const known = interned.get(value);
        if (known !== undefined) return known;
        interned.set(value, value);
        return value;
      };
      for (const row of selectAll.iterate()) {
        states.set(row.session_key, {
          status: intern(row.status),
          sessionType: row.session_type === null ? null : intern(row.session_type),
          since: row.since,
        });
      }
      return states;
    },
    upsert(ref, state) {
      upsert.run(
        sessionKey(ref),
        ref.workspaceId,
        ref.projectName,
        ref.authSessionId,
        state.status,
        state.sessionType,
        state.since,
      );
    },
  };
}
