import type { PostgresBenchResult } from "./postgres.js";
import { formatNumber, type Row } from "./table.js";

/** Issue 15's target: a standby takes over within two lease TTLs (the bench's lease is 3 s). */
export const POSTGRES_TARGETS = { failoverMs: 2 * 3_000 };

/** The two keys issue 15 names, on the last JSON line (null when PostgreSQL was not there). */
export function postgresKeys(p: PostgresBenchResult | undefined) {
  return { failoverMs: p?.failoverMs ?? null, pgSweepRatio: p?.pgSweepRatio ?? null };
}

export function postgresRows(p: PostgresBenchResult | undefined): Row[] {
  if (!p) return [{ measurement: "PostgreSQL (failoverMs, pgSweepRatio)", result: "skipped", target: "" }];
  const met = p.failoverMs <= POSTGRES_TARGETS.failoverMs;
  return [
    {
      measurement: `failoverMs, kill -9 → new leader's first poll, lease 3 s (runs: ${p.failoverRunsMs.map((ms) => ms.toFixed(0)).join(", ")})`,
      result: formatNumber(p.failoverMs),
      target: `<= ${formatNumber(POSTGRES_TARGETS.failoverMs)} ${met ? "met" : "MISSED"}`,
    },
    {
      measurement: `pgSweepRatio, first observations/s (PostgreSQL ${formatNumber(p.pgFirstPerSec)}, SQLite ${formatNumber(p.sqliteFirstPerSec)})`,
      result: p.pgSweepRatio.toFixed(2),
      target: "",
    },
  ];
}
