import { API_KEY, PROJECT, WORKSPACE_ID } from "./bench-config.js";
import { startFakeApiProcess } from "./fake-api-process.js";
import { type LatenessResult, measureLateness } from "./lateness.js";
import { collectGarbage, sleep } from "./measure.js";
import { median } from "./stats.js";
import { runNaiveSweep } from "./sweep-naive.js";
import { type PipelineSweepResult, runPipelineSweep } from "./sweep-pipeline.js";
import { runRawSweep, type SweepTarget } from "./sweep-raw.js";
import type { SweepResult } from "./sweep-result.js";

export interface SweepSuiteOptions {
  count: number;
  concurrency: number;
  /** Measured pairs of (raw, pipeline), after one unmeasured warm-up pair. */
  rounds: number;
  /** Measured pairs of (raw, naive). */
  naiveRounds: number;
  /** The lateness run offers this fraction of the measured first-sweep throughput. */
  latenessLoad: number;
  /** Polls per second offered in the lateness measurement, at most `latenessLoad` of the capacity. */
  latenessRate: number;
  latenessWindowMs: number;
}

/** One contender against the raw loop of the same round. */
export interface Versus {
  result: SweepResult;
  /** result.pollsPerSec / raw.pollsPerSec. */
  ratio: number;
  /** raw.cpuUsPerPoll / result.cpuUsPerPoll: the same ratio in CPU terms, much less noisy. */
  cpuRatio: number;
}

export interface SweepRound {
  raw: SweepResult;
  /** The pipeline's first observations, or the naive peer. */
  first: Versus;
  /** The pipeline's second, unchanged polls (absent for the naive peer). */
  steady?: Versus;
  /** The pipeline's READY → EXPIRED transitions once it has run a while (absent for the naive peer). */
  transitions?: Versus;
}

export interface SweepSuiteResult {
  pipeline: SweepRound[];
  naive: SweepRound[];
  lateness: LatenessResult;
}

const ID_PREFIX = "sess-";

const versus = (raw: SweepResult, result: SweepResult): Versus => ({
  result,
  ratio: result.pollsPerSec / raw.pollsPerSec,
  cpuRatio: raw.cpuUsPerPoll / result.cpuUsPerPoll,
});

const settle = async () => {
  collectGarbage();
  await sleep(200);
};

/** Raw first in even rounds and second in odd ones, so drift of a shared machine hits both sides. */
async function inTurn<T>(rawFirst: boolean, raw: () => Promise<SweepResult>, other: () => Promise<T>) {
  let rawResult: SweepResult;
  let otherResult: T;
  if (rawFirst) {
    rawResult = await raw();
    await settle();
    otherResult = await other();
  } else {
    otherResult = await other();
    await settle();
    rawResult = await raw();
  }
  await settle();
  return { raw: rawResult, other: otherResult };
}

/** Sweeps of N sessions against one fake API process: pipeline vs raw, lateness, naive vs raw. */
export async function runSweepSuite(
  options: SweepSuiteOptions,
  progress: (line: string) => void,
): Promise<SweepSuiteResult> {
  const api = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: [
      { count: options.count, workspaceId: WORKSPACE_ID, projectName: PROJECT, idPrefix: ID_PREFIX },
    ],
  });
  const target: SweepTarget = {
    api,
    count: options.count,
    idPrefix: ID_PREFIX,
    concurrency: options.concurrency,
  };
  const raw = () => runRawSweep(target);
  try {
    // Warm-up: JIT, the fake's first connections, SQLite's first file.
    await inTurn(true, raw, () => runPipelineSweep(target));
    const pipeline: SweepRound[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const turn = await inTurn<PipelineSweepResult>(round % 2 === 0, raw, () => runPipelineSweep(target));
      const result: SweepRound = {
        raw: turn.raw,
        first: versus(turn.raw, turn.other.first),
        steady: versus(turn.raw, turn.other.steady),
        transitions: versus(turn.raw, turn.other.transitions),
      };
      pipeline.push(result);
      progress(
        `sweep ${round + 1}/${options.rounds}: raw ${turn.raw.pollsPerSec.toFixed(0)}/s, ` +
          `first observations ${turn.other.first.pollsPerSec.toFixed(0)}/s (${result.first.ratio.toFixed(2)}), ` +
          `unchanged ${turn.other.steady.pollsPerSec.toFixed(0)}/s (${result.steady?.ratio.toFixed(2)}); ` +
          `CPU µs per poll: raw ${turn.raw.cpuUsPerPoll.toFixed(1)}, first ${turn.other.first.cpuUsPerPoll.toFixed(1)}, ` +
          `unchanged ${turn.other.steady.cpuUsPerPoll.toFixed(1)}, transition ${turn.other.transitions.cpuUsPerPoll.toFixed(1)}`,
      );
    }
    const firstRate = median(pipeline.map((round) => round.first.result.pollsPerSec));
    const lateness = await measureLateness({
      api,
      count: options.count,
      idPrefix: ID_PREFIX,
      concurrency: options.concurrency,
      // A fixed offered load, so the figure compares across runs on a noisy machine: 20,000 sessions
      // polled every 10 s. Tied to the measured throughput instead, one slow round pushes the load
      // to capacity and the p99 measures queueing, not the scheduler.
      ratePerSecond: Math.round(Math.min(options.latenessRate, firstRate * options.latenessLoad)),
      windowMs: options.latenessWindowMs,
    });
    progress(
      `lateness at ${lateness.ratePerSecond} polls/s: p99 ${lateness.p99Ms.toFixed(1)} ms ` +
        `(event loop delay p99 ${lateness.loopDelayP99Ms.toFixed(1)} ms)`,
    );
    // Last: the naive peer leaves thousands of keep-alive sockets behind for a few seconds.
    const naive: SweepRound[] = [];
    for (let round = 0; round < options.naiveRounds; round++) {
      const turn = await inTurn(round % 2 === 0, raw, () => runNaiveSweep(target));
      naive.push({ raw: turn.raw, first: versus(turn.raw, turn.other) });
      progress(
        `naive ${round + 1}/${options.naiveRounds}: raw ${turn.raw.pollsPerSec.toFixed(0)}/s, ` +
          `naive ${turn.other.pollsPerSec.toFixed(0)}/s, ${turn.other.errors} failed`,
      );
    }
    return { pipeline, naive, lateness };
  } finally {
    await api.stop();
  }
}
