/** One sweep of N due sessions by one of the contenders. */
export interface SweepResult {
  kind: "raw" | "pipeline" | "naive";
  /** Polls answered (200) and, for the pipeline, stored. */
  polls: number;
  errors: number;
  /** From the first request handed to the pool to the last poll finished (stored, for the pipeline). */
  ms: number;
  pollsPerSec: number;
  /** CPU of this process over the same span, user + system. */
  cpuMs: number;
  /** CPU per poll in microseconds: what a poll costs this process, whatever the server's speed. */
  cpuUsPerPoll: number;
  /** CPU the fake API process used over the sweep, in ms. */
  serverCpuMs: number;
}

export function sweepResult(
  kind: SweepResult["kind"],
  fields: { polls: number; errors: number; ms: number; cpuMs: number; serverCpuMs: number },
): SweepResult {
  return {
    kind,
    ...fields,
    pollsPerSec: (fields.polls * 1000) / fields.ms,
    cpuUsPerPoll: (fields.cpuMs * 1000) / Math.max(1, fields.polls),
  };
}
