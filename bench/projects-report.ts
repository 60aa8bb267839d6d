import type { ProjectsBenchResult } from "./projects.js";
import { formatNumber, type Row } from "./table.js";

/** Issue 12's targets. */
export const PROJECT_TARGETS = { listRequestRatio: 0.01 };

/** The three keys issue 12 names, on the last JSON line. */
export function projectKeys(p: ProjectsBenchResult) {
  return {
    listRequestRatio: p.listRequestRatio,
    listDetectionP95Ms: p.listDetectionP95Ms,
    listParseMsPer10k: p.listParseMsPer10k,
  };
}

export function projectRows(p: ProjectsBenchResult): Row[] {
  const met = p.listRequestRatio <= PROJECT_TARGETS.listRequestRatio;
  return [
    {
      measurement: `listRequestRatio (requests/min: ${p.listRequestsPerMin} by list, ${formatNumber(p.getRequestsPerMin)} one by one)`,
      result: p.listRequestRatio.toFixed(4),
      target: `<= ${PROJECT_TARGETS.listRequestRatio} ${met ? "met" : "MISSED"}`,
    },
    {
      measurement: `listDetectionP95Ms, 1 s interval (per-session GETs: ${p.getDetectionP95Ms} ms)`,
      result: String(p.listDetectionP95Ms),
      target: `<= GETs + 50 ms ${p.listDetectionP95Ms <= p.getDetectionP95Ms + 50 ? "met" : "MISSED"}`,
    },
    {
      measurement: `listParseMsPer10k (first listing: ${p.listFirstParseMsPer10k} ms)`,
      result: p.listParseMsPer10k.toFixed(2),
      target: "",
    },
  ];
}
