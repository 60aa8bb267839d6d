import type { Database } from "better-sqlite3";
import type { SinkDeliveryState, StatusChange } from "./state-store.js";

export interface StatusQueries {
  statusChangesSince(since: number, page: { afterSeq?: number; limit: number }): StatusChange[];
  sinkStates(): Record<string, SinkDeliveryState>;
}

/** The read side of the status page: recent changes (timelines) and each sink's delivery state. */
export function createStatusQueries(db: Database): StatusQueries {
  const bounds = db.prepare<[], { lo: number | null; hi: number | null }>(
    "SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM events",
  );
  const firstAtOrAfter = db.prepare<[number], { seq: number; timestamp: number }>(
    "SELECT seq, timestamp FROM events WHERE seq >= ? ORDER BY seq LIMIT 1",
  );
  // json_extract runs in SQLite's C code: far cheaper than parsing every body in JavaScript.
  const changes = db.prepare<
    [number, number, number],
    { seq: number; session_key: string; timestamp: number; s_from: string | null; s_to: string }
  >(
    `SELECT seq, session_key, timestamp, json_extract(body, '$.data.from') AS s_from,
            json_extract(body, '$.data.to') AS s_to
     FROM events WHERE seq >= ? AND timestamp >= ? AND session_key IS NOT NULL AND type IN (
       'authsession.pending', 'authsession.ready', 'authsession.expired', 'authsession.not_found',
       'authsession.unknown_status')
     ORDER BY seq LIMIT ?`,
  );
  const counts = db.prepare<[], { sink: string; status: string; n: number }>(
    "SELECT sink, status, COUNT(*) AS n FROM deliveries WHERE status != 'delivered' GROUP BY sink, status",
  );
  const disabled = db.prepare<[], { sink: string; reason: string | null }>(
    "SELECT sink, reason FROM sink_state WHERE disabled = 1",
  );

  /**
   * The first seq whose timestamp is at or after `since`, by binary search on the primary key:
   * events are appended in time order, so no index on timestamp (and no migration) is needed.
   */
  const firstSeqSince = (since: number): number => {
    const range = bounds.get();
    if (!range || range.lo === null || range.hi === null) return 0;
    let lo = range.lo;
    let hi = range.hi + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = firstAtOrAfter.get(mid);
      if (!row) hi = mid;
      else if (row.timestamp >= since) hi = mid;
      else lo = row.seq + 1;
    }
    return lo;
  };

  return {
    statusChangesSince(since, page) {
      const from = page.afterSeq === undefined ? firstSeqSince(since) : page.afterSeq + 1;
      return changes.all(from, since, page.limit).map((row) => ({
        seq: row.seq,
        sessionKey: row.session_key,
        at: row.timestamp,
        from: row.s_from,
        to: row.s_to,
      }));
    },
    sinkStates() {
      const result: Record<string, SinkDeliveryState> = {};
      const entry = (sink: string) => {
        const found = result[sink] ?? { pending: 0, dead: 0, disabled: 0, disabledReason: null };
        result[sink] = found;
        return found;
      };
      for (const row of counts.iterate()) {
        if (row.status === "pending" || row.status === "dead" || row.status === "disabled") {
          entry(row.sink)[row.status] = row.n;
        }
      }
      for (const row of disabled.iterate()) entry(row.sink).disabledReason = row.reason ?? "disabled";
      return result;
    },
  };
}
