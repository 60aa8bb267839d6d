import type { Database } from "better-sqlite3";

export interface SinkStates {
  disable(name: string, fingerprint: string, reason: string, now: number): void;
  isDisabled(name: string, fingerprint: string): boolean;
  /** Every disabled sink: name → the fingerprint that was refused. */
  disabled(): Map<string, string>;
}

/**
 * Sinks disabled by HTTP 410. The fingerprint of the config that was refused is kept with the flag:
 * the same config stays disabled across restarts, a changed one (a new URL) is enabled again.
 */
export function createSinkStates(db: Database): SinkStates {
  const upsert = db.prepare(
    `INSERT INTO sink_state (sink, disabled, reason, fingerprint, updated_at) VALUES (?, 1, ?, ?, ?)
     ON CONFLICT (sink) DO UPDATE SET
       disabled = 1, reason = excluded.reason, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
  );
  const select = db.prepare<[string, string], { disabled: number }>(
    "SELECT disabled FROM sink_state WHERE sink = ? AND fingerprint = ?",
  );

  const selectDisabled = db.prepare<[], { sink: string; fingerprint: string }>(
    "SELECT sink, fingerprint FROM sink_state WHERE disabled = 1",
  );

  return {
    disabled() {
      return new Map(selectDisabled.all().map((row) => [row.sink, row.fingerprint]));
    },
    disable(name, fingerprint, reason, now) {
      upsert.run(name, reason, fingerprint, now);
    },
    isDisabled(name, fingerprint) {
      return select.get(name, fingerprint)?.disabled === 1;
    },
  };
}
