import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { postgresAvailable } from "../test/helpers/postgres-server.js";
import type { DeliveryOptions, DeliveryResult } from "./delivery.js";
import type { HttpBlockResult } from "./http-block.js";
import { httpRows, summarizeHttp } from "./http-report.js";
import { describeMachine } from "./machine.js";
import type { PostgresBenchOptions, PostgresBenchResult } from "./postgres.js";
import { postgresKeys, postgresRows } from "./postgres-report.js";
import type { ProjectsBenchOptions, ProjectsBenchResult } from "./projects.js";
import { projectKeys, projectRows } from "./projects-report.js";
import { reportRows } from "./report.js";
import { runChild } from "./run-child.js";
import { round } from "./stats.js";
import type { SteadyOptions, SteadyResult } from "./steady.js";
import type { SteadyFiles } from "./steady-prepare.js";
import { summarize } from "./summary.js";
import type { SweepSuiteOptions, SweepSuiteResult } from "./sweep-suite.js";
import { formatNumber, formatTable } from "./table.js";

/** Everything `npm run bench` measures. Sized to finish in about four minutes on 2 shared cores. */
const SWEEP: SweepSuiteOptions = {
  count: 20_000,
  concurrency: 16,
  rounds: 5,
  naiveRounds: 3,
  latenessLoad: 0.5,
  latenessRate: 2_000,
  latenessWindowMs: 8_000,
};
const STEADY = { count: 100_000, idPrefix: "sess-", idleSliceMs: 5_000, idleSlices: 7 };
const DELIVERY: DeliveryOptions & { runs: number } = {
  runs: 3,
  sessions: 50,
  flipMs: 400,
  pollIntervalMs: 100,
  transitions: 1_000,
  warmUp: 100,
  timeoutMs: 60_000,
};

/** Issue 12: 2,000 sessions in 4 projects; detection at a 1 s interval; parsing a 10,000-session list. */
const PROJECTS: ProjectsBenchOptions = {
  ratio: { sessions: 2_000, projects: 4, intervalMs: 5_000, warmUpMs: 3_000, windowMs: 15_000 },
  detection: { sessions: 50, intervalMs: 1_000, changes: 40, gapMs: 250 },
  parse: { count: 10_000, runs: 20 },
};

/** Issue 15: failover of two `authwatch watch` on one PostgreSQL (lease 3 s); sweep on PostgreSQL vs SQLite. */
const POSTGRES: PostgresBenchOptions = {
  failoverRuns: 3,
  failoverSessions: 5,
  sweepCount: 2_000,
  sweepRounds: 3,
  concurrency: 16,
};

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function runProjects(): Promise<ProjectsBenchResult> {
  progress("projects: list vs one by one, detection, parsing …");
  return runChild<ProjectsBenchResult>("projects", PROJECTS, 180_000);
}

/** The PostgreSQL part, or nothing (with a note) where the PostgreSQL 15 server binaries are absent. */
async function runPostgres(): Promise<PostgresBenchResult | undefined> {
  if (!postgresAvailable) {
    progress("postgres: SKIPPED, no PostgreSQL server binaries (install postgresql-15, or set PG_BIN)");
    return undefined;
  }
  progress("postgres: failover after kill -9, sweep PostgreSQL vs SQLite …");
  return runChild<PostgresBenchResult>("postgres", POSTGRES, 240_000);
}

async function runDelivery(): Promise<DeliveryResult[]> {
  progress(`transition to delivery, ${DELIVERY.runs} runs …`);
  return runChild<DeliveryResult[]>("delivery", DELIVERY, 150_000);
}

async function runSteady(): Promise<SteadyResult> {
  progress(`${formatNumber(STEADY.count)} sessions: memory, start-up, idle …`);
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-steady-"));
  try {
    const files = await runChild<SteadyFiles>("steady-prepare", { dir, ...STEADY }, 120_000);
    const options: SteadyOptions = { ...STEADY, files };
    const steady = await runChild<SteadyResult>("steady", options, 240_000);
    progress(
      `  ${formatNumber(steady.heapBytesPerSession)} heap bytes per session, start-up ${formatNumber(steady.startupMs)} ms, ` +
        `idle ${steady.idleCpuMsPerMin.toFixed(1)} ms CPU per minute`,
    );
    return steady;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runSweep(): Promise<SweepSuiteResult> {
  progress(`sweeps of ${formatNumber(SWEEP.count)} sessions …`);
  return runChild<SweepSuiteResult>("sweep", SWEEP, 240_000);
}

async function main(parts: readonly string[]): Promise<void> {
  const started = performance.now();
  const machine = describeMachine();
  progress(`authwatch bench on ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);
  // `npm run bench -- projects` runs only the projects part (its table rows and JSON keys).
  if (parts.includes("projects")) {
    const projects = await runProjects();
    process.stdout.write(`\n${formatTable(projectRows(projects))}\n\n`);
    process.stdout.write(
      `${JSON.stringify({ ...projectKeys(projects), durationSec: round((performance.now() - started) / 1000, 1) })}\n`,
    );
    return;
  }
  // `npm run bench -- postgres` runs only the PostgreSQL part.
  if (parts.includes("postgres")) {
    const postgres = await runPostgres();
    process.stdout.write(`\n${formatTable(postgresRows(postgres))}\n\n`);
    process.stdout.write(
      `${JSON.stringify({ ...postgresKeys(postgres), durationSec: round((performance.now() - started) / 1000, 1) })}\n`,
    );
    return;
  }

  // `npm run bench -- delivery|steady|sweep` runs only those parts and prints their raw results: for
  // iterating on one figure; the table and the summary line need the whole run.
  const only = (["delivery", "steady", "sweep"] as const).filter((part) => parts.includes(part));
  if (only.length > 0) {
    const results: Record<string, unknown> = {};
    if (only.includes("delivery")) results.delivery = await runDelivery();
    if (only.includes("steady")) results.steady = await runSteady();
    if (only.includes("sweep")) results.sweep = await runSweep();
    process.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }

  const delivery = await runDelivery();
  const steady = await runSteady();
  const sweep = await runSweep();

  const projects = await runProjects();

  progress("HTTP endpoints with 50,000 sessions: event-loop blocks …");
  const http = await runChild<HttpBlockResult>("http", { sessions: 50_000 }, 400_000);

  const postgres = await runPostgres();

  const summary = summarize(sweep, steady, delivery);
  const durationSec = (performance.now() - started) / 1000;
  process.stdout.write(
    `\n${formatTable([...reportRows(summary, sweep, steady, delivery), ...projectRows(projects), ...httpRows(http), ...postgresRows(postgres)])}\n\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      ...summary,
      ...summarizeHttp(http),
      ...projectKeys(projects),
      ...postgresKeys(postgres),
      durationSec: round(durationSec, 1),
      machine: { cpuModel: machine.cpuModel, cores: machine.cores, node: machine.node },
    })}\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
