import type { HttpBlockResult } from "./http-block.js";
import { round } from "./stats.js";
import { formatNumber, type Row } from "./table.js";

export const HTTP_TARGET_MS = 50;

/** The keys `npm run bench` adds to its JSON line for the HTTP endpoints. */
export function summarizeHttp(http: HttpBlockResult) {
  return {
    httpMaxBlockMs: round(http.maxBlockMs, 1),
    httpSessions: http.sessions,
    httpMaxWallGapMs: round(Math.max(...Object.values(http.endpoints).map((e) => e.maxWallGapMs)), 1),
    httpMet: http.maxBlockMs <= HTTP_TARGET_MS,
  };
}

export function httpRows(http: HttpBlockResult): Row[] {
  const worst = summarizeHttp(http);
  return [
    {
      measurement: `httpMaxBlockMs (${formatNumber(http.sessions)} sessions; longest wall-clock gap ${worst.httpMaxWallGapMs} ms)`,
      result: formatNumber(worst.httpMaxBlockMs, 1),
      target: `<= ${HTTP_TARGET_MS} ${worst.httpMet ? "met" : "MISSED"}`,
    },
    ...Object.entries(http.endpoints).map(([path, e]) => ({
      measurement: `  GET ${path}: ${formatNumber(e.bytes / 1e6, 1)} MB in ${formatNumber(e.ms)} ms`,
      result: formatNumber(e.maxBlockMs, 1),
      target: "",
    })),
  ];
}
