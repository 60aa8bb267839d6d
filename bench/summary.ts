import type { DeliveryResult } from "./delivery.js";
import { median, round } from "./stats.js";
import type { SteadyResult } from "./steady.js";
import type { SweepRound, SweepSuiteResult, Versus } from "./sweep-suite.js";

/** The targets (issue 11): CPU ratios against the raw request, memory, and delivery p99 in every run. */
export const TARGETS = { cpuRatio: 0.65, steadyCpuRatio: 0.9, bytesPerSession: 1_500, deliveryP99MaxMs: 20 };

export const medianOf = <T>(items: readonly T[], pick: (item: T) => number) => median(items.map(pick));
export const steadyOf = (sweepRound: SweepRound): Versus => sweepRound.steady!;
export const transitionsOf = (sweepRound: SweepRound): Versus => sweepRound.transitions!;

/** The headline numbers: medians over rounds and runs, ratios paired within a round. */
export function summarize(sweep: SweepSuiteResult, steady: SteadyResult, delivery: DeliveryResult[]) {
  const sweepRatio = medianOf(sweep.pipeline, (r) => r.first.ratio);
  const naiveToRaw = medianOf(sweep.naive, (r) => r.first.ratio);
  const bytesPerSession = steady.heapBytesPerSession + steady.externalBytesPerSession;
  const deliveryP99Ms = medianOf(delivery, (d) => d.p99Ms);
  // The target holds in every run: the worst run's p99 is the figure that counts.
  const deliveryP99MaxMs = Math.max(...delivery.map((d) => d.p99Ms));
  const cpuRatio = medianOf(sweep.pipeline, (r) => r.first.cpuRatio);
  const steadyCpuRatio = medianOf(sweep.pipeline, (r) => steadyOf(r).cpuRatio);
  const transitionCpuRatio = medianOf(sweep.pipeline, (r) => transitionsOf(r).cpuRatio);
  return {
    sweepRatio: round(sweepRatio, 3),
    pollsPerSec: round(
      medianOf(sweep.pipeline, (r) => r.first.result.pollsPerSec),
      0,
    ),
    rawPollsPerSec: round(
      medianOf(sweep.pipeline, (r) => r.raw.pollsPerSec),
      0,
    ),
    cpuRatio: round(cpuRatio, 3),
    cpuUsPerPoll: round(
      medianOf(sweep.pipeline, (r) => r.first.result.cpuUsPerPoll),
      1,
    ),
    rawCpuUsPerPoll: round(
      medianOf(sweep.pipeline, (r) => r.raw.cpuUsPerPoll),
      1,
    ),
    steadySweepRatio: round(
      medianOf(sweep.pipeline, (r) => steadyOf(r).ratio),
      3,
    ),
    steadyPollsPerSec: round(
      medianOf(sweep.pipeline, (r) => steadyOf(r).result.pollsPerSec),
      0,
    ),
    steadyCpuRatio: round(steadyCpuRatio, 3),
    steadyCpuUsPerPoll: round(
      medianOf(sweep.pipeline, (r) => steadyOf(r).result.cpuUsPerPoll),
      1,
    ),
    transitionCpuRatio: round(transitionCpuRatio, 3),
    transitionCpuUsPerPoll: round(
      medianOf(sweep.pipeline, (r) => transitionsOf(r).result.cpuUsPerPoll),
      1,
    ),
    naivePollsPerSec: round(
      medianOf(sweep.naive, (r) => r.first.result.pollsPerSec),
      0,
    ),
    // Both against the raw loop of their own rounds, so drift of the machine between phases cancels.
    naiveRatio: round(sweepRatio / naiveToRaw, 2),
    naiveFailedPolls: sweep.naive.reduce((sum, r) => sum + r.first.result.errors, 0),
    bytesPerSession: round(bytesPerSession, 0),
    rssBytesPerSession: round(steady.rssBytesPerSession, 0),
    deliveryP50Ms: round(
      medianOf(delivery, (d) => d.p50Ms),
      2,
    ),
    deliveryP99Ms: round(deliveryP99Ms, 2),
    deliveryP99MaxMs: round(deliveryP99MaxMs, 2),
    deliveryTransitions: delivery.reduce((sum, d) => sum + d.transitions, 0),
    idleCpuMsPerMin: round(steady.idleCpuMsPerMin, 1),
    idleWindowCpuMsPerMin: round(steady.idleWindowCpuMsPerMin, 1),
    startupMs: round(steady.startupMs, 0),
    lateP99Ms: round(sweep.lateness.p99Ms, 1),
    met: {
      cpuRatio: cpuRatio >= TARGETS.cpuRatio,
      steadyCpuRatio: steadyCpuRatio >= TARGETS.steadyCpuRatio,
      bytesPerSession: bytesPerSession <= TARGETS.bytesPerSession,
      deliveryP99MaxMs: deliveryP99MaxMs <= TARGETS.deliveryP99MaxMs,
    },
  };
}

export type Summary = ReturnType<typeof summarize>;
