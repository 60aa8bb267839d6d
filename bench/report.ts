import type { DeliveryResult } from "./delivery.js";
import type { SteadyResult } from "./steady.js";
import { type Summary, steadyOf, TARGETS, transitionsOf } from "./summary.js";
import type { SweepSuiteResult } from "./sweep-suite.js";
import { formatNumber, type Row } from "./table.js";

/** The printed table: each headline number with the context needed to read it. */
export function reportRows(
  s: Summary,
  sweep: SweepSuiteResult,
  steady: SteadyResult,
  delivery: DeliveryResult[],
): Row[] {
  const verdict = (met: boolean, target: string) => `${target} ${met ? "met" : "MISSED"}`;
  const list = (values: number[], digits = 2) => values.map((v) => v.toFixed(digits)).join(" ");
  const late = sweep.lateness;
  const us = (value: number) => formatNumber(value, 1);
  return [
    {
      measurement: "sweep, raw undici request() loop (polls/s)",
      result: formatNumber(s.rawPollsPerSec),
      target: "",
    },
    {
      measurement: "sweep, authwatch first observations (polls/s)",
      result: formatNumber(s.pollsPerSec),
      target: "",
    },
    {
      measurement: `sweepRatio (rounds: ${list(sweep.pipeline.map((r) => r.first.ratio))})`,
      result: s.sweepRatio.toFixed(2),
      target: "",
    },
    {
      measurement: `cpuRatio, raw ÷ authwatch CPU per poll (µs: ${us(s.rawCpuUsPerPoll)} / ${us(s.cpuUsPerPoll)}; rounds: ${list(sweep.pipeline.map((r) => r.first.cpuRatio))})`,
      result: s.cpuRatio.toFixed(2),
      target: verdict(s.met.cpuRatio, `>= ${TARGETS.cpuRatio}`),
    },
    {
      measurement: "sweep, authwatch unchanged polls (polls/s)",
      result: formatNumber(s.steadyPollsPerSec),
      target: "",
    },
    {
      measurement: `steadySweepRatio (rounds: ${list(sweep.pipeline.map((r) => steadyOf(r).ratio))})`,
      result: s.steadySweepRatio.toFixed(2),
      target: "",
    },
    {
      measurement: `steadyCpuRatio (µs per poll: ${us(s.steadyCpuUsPerPoll)}; rounds: ${list(sweep.pipeline.map((r) => steadyOf(r).cpuRatio))})`,
      result: s.steadyCpuRatio.toFixed(2),
      target: verdict(s.met.steadyCpuRatio, `>= ${TARGETS.steadyCpuRatio}`),
    },
    {
      measurement: `transitionCpuRatio, READY → EXPIRED in a running daemon (µs per poll: ${us(s.transitionCpuUsPerPoll)}; rounds: ${list(sweep.pipeline.map((r) => transitionsOf(r).cpuRatio))})`,
      result: s.transitionCpuRatio.toFixed(2),
      target: "",
    },
    {
      measurement: `sweep, naive setInterval + fetch (polls/s; ${s.naiveFailedPolls} failed)`,
      result: formatNumber(s.naivePollsPerSec),
      target: "",
    },
    {
      measurement: "naiveRatio (authwatch ÷ naive)",
      result: `${s.naiveRatio.toFixed(1)}x`,
      target: "far ahead",
    },
    {
      measurement: `bytesPerSession (heap, 0 → ${formatNumber(steady.sessions)} sessions)`,
      result: formatNumber(s.bytesPerSession),
      target: verdict(s.met.bytesPerSession, `<= ${formatNumber(TARGETS.bytesPerSession)}`),
    },
    {
      measurement: "  RSS growth per session (bytes)",
      result: formatNumber(s.rssBytesPerSession),
      target: "",
    },
    {
      measurement: `deliveryP50Ms (runs: ${list(delivery.map((d) => d.p50Ms))})`,
      result: formatNumber(s.deliveryP50Ms, 2),
      target: "",
    },
    {
      measurement: `deliveryP99MaxMs, worst run (runs: ${list(delivery.map((d) => d.p99Ms))})`,
      result: formatNumber(s.deliveryP99MaxMs, 2),
      target: verdict(s.met.deliveryP99MaxMs, `<= ${TARGETS.deliveryP99MaxMs}`),
    },
    {
      measurement: `idleCpuMsPerMin (${formatNumber(steady.sessions)} sessions, 1 h interval)`,
      result: formatNumber(s.idleCpuMsPerMin, 1),
      target: "",
    },
    {
      measurement: `  whole ${formatNumber(steady.idleWindowMs / 1000)} s window, post-burst GC included`,
      result: formatNumber(steady.idleWindowCpuMsPerMin, 1),
      target: "",
    },
    {
      measurement: `startupMs (watchlist: ${formatNumber(steady.configMs)} ms of it)`,
      result: formatNumber(s.startupMs),
      target: "",
    },
    {
      measurement: `  start-up polls of all ${formatNumber(steady.sessions)} sessions (ms)`,
      result: formatNumber(steady.startupPollsMs),
      target: "",
    },
    {
      measurement: `lateP99Ms (${formatNumber(late.ratePerSecond)} polls/s; p50 ${late.p50Ms.toFixed(1)}; loop delay p99 ${late.loopDelayP99Ms.toFixed(1)})`,
      result: formatNumber(s.lateP99Ms, 1),
      target: "",
    },
  ];
}
