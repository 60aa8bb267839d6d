import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeIntunedApi, startFakeIntunedApi } from "../src/fake-api/server.js";
import { type PostgresCluster, startPostgresCluster } from "../test/helpers/postgres-server.js";
import { API_KEY, PROJECT, WORKSPACE_ID } from "./bench-config.js";
import { startFakeApiProcess } from "./fake-api-process.js";
import { now, within } from "./measure.js";
import { median, round } from "./stats.js";
import { runPipelineSweep } from "./sweep-pipeline.js";
import type { SweepTarget } from "./sweep-raw.js";

/** The CLI, compiled beside this file (dist-bench/src/cli.js). */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const STANDBY_LINE = "authwatch is standing by for the lease";

export interface PostgresBenchOptions {
  failoverRuns: number;
  /** Sessions each failover instance watches. */
  failoverSessions: number;
  sweepCount: number;
  sweepRounds: number;
  concurrency: number;
}

export interface PostgresBenchResult {
  /** kill -9 of the leader → first poll by the new leader, median of the runs; lease TTL 3 s. */
  failoverMs: number;
  failoverRunsMs: number[];
  /** First-observation sweep rate on PostgreSQL ÷ on SQLite (medians). */
  pgSweepRatio: number;
  pgFirstPerSec: number;
  sqliteFirstPerSec: number;
}

/** Issue 15's figures, on a throwaway PostgreSQL cluster (the test harness's) that is destroyed after. */
export async function measurePostgres(
  options: PostgresBenchOptions,
  progress: (line: string) => void,
): Promise<PostgresBenchResult> {
  const cluster = await startPostgresCluster();
  try {
    const failoverRunsMs: number[] = [];
    for (let run = 1; run <= options.failoverRuns; run++) {
      const ms = await measureFailover(cluster, options.failoverSessions);
      progress(`failover ${run}/${options.failoverRuns}: ${ms.toFixed(0)} ms`);
      failoverRunsMs.push(ms);
    }
    const sweep = await measureSweepRatio(cluster, options, progress);
    return { failoverMs: round(median(failoverRunsMs), 0), failoverRunsMs, ...sweep };
  } finally {
    await cluster.destroy();
  }
}

/**
 * Two real `authwatch watch` processes on one database, each with its own fake API (so the fake
 * tells who polls). A leads (it has polled), B stands by; from A's kill -9 to B's first request.
 */
async function measureFailover(cluster: PostgresCluster, sessions: number): Promise<number> {
  const databaseUrl = await cluster.createDatabase();
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-ha-"));
  const ids = Array.from({ length: sessions }, (_, i) => `ha-${i}`);
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE_ID, timeout: "1s" },
      defaults: { interval: "200ms", jitter: 0 },
      sessions: ids.map((id) => ({ project: PROJECT, id })),
      sinks: [],
      state: { postgres: { leaseTtl: "3s" } },
    }),
  );
  const apis: FakeIntunedApi[] = [];
  const children: ChildProcess[] = [];
  const start = async () => {
    const api = await startFakeIntunedApi({ apiKeys: [API_KEY] });
    for (const authSessionId of ids) {
      api.setStatus({ workspaceId: WORKSPACE_ID, projectName: PROJECT, authSessionId }, "READY");
    }
    apis.push(api);
    const child = spawn(process.execPath, [CLI, "watch", "-c", join(dir, "watchlist.json")], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        INTUNED_API_BASE_URL: api.url,
        INTUNED_API_KEY: API_KEY,
        AUTHWATCH_DATABASE_URL: databaseUrl,
      },
      stdio: ["ignore", "pipe", "ignore"],
    });
    children.push(child);
    const standingBy = waitForLine(child, STANDBY_LINE);
    standingBy.catch(() => undefined); // the leader's is never awaited; it rejects when killed
    return { api, child, standingBy };
  };
  try {
    const leader = await start();
    if (leader.api.requestLog().length === 0) {
      await leader.api.waitForRequest(() => true, 30_000);
    }
    const standby = await start();
    await within(standby.standingBy, 30_000, "the standby's start");
    if (standby.api.requestLog().length > 0) throw new Error("the standby polled while the leader lived");
    const firstPoll = standby.api.waitForRequest(() => true, 30_000);
    const killedAt = now();
    leader.child.kill("SIGKILL");
    await firstPoll;
    return now() - killedAt;
  } finally {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    }
    for (const api of apis) await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen = (seen + chunk.toString("utf8")).slice(-4_096);
      if (seen.includes(text)) resolve();
    });
    child.once("exit", (code, signal) => reject(new Error(`watch exited (${signal ?? code})`)));
  });
}

/** The pipeline sweep's first observations, SQLite and PostgreSQL in turn (a fresh database each). */
async function measureSweepRatio(
  cluster: PostgresCluster,
  options: PostgresBenchOptions,
  progress: (line: string) => void,
): Promise<Pick<PostgresBenchResult, "pgSweepRatio" | "pgFirstPerSec" | "sqliteFirstPerSec">> {
  const idPrefix = "pg-";
  const api = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: [{ count: options.sweepCount, workspaceId: WORKSPACE_ID, projectName: PROJECT, idPrefix }],
  });
  const target: SweepTarget = { api, count: options.sweepCount, idPrefix, concurrency: options.concurrency };
  try {
    // Warm-up, unmeasured: JIT, the fake's first connections, the pg driver's first pool.
    await runPipelineSweep(target);
    await runPipelineSweep(target, await cluster.createDatabase());
    const sqlite: number[] = [];
    const postgres: number[] = [];
    for (let round = 0; round < options.sweepRounds; round++) {
      sqlite.push((await runPipelineSweep(target)).first.pollsPerSec);
      postgres.push((await runPipelineSweep(target, await cluster.createDatabase())).first.pollsPerSec);
      progress(
        `sweep ${round + 1}/${options.sweepRounds}: SQLite ${sqlite.at(-1)?.toFixed(0)}/s, ` +
          `PostgreSQL ${postgres.at(-1)?.toFixed(0)}/s`,
      );
    }
    const sqliteFirstPerSec = median(sqlite);
    const pgFirstPerSec = median(postgres);
    return {
      pgSweepRatio: round(pgFirstPerSec / sqliteFirstPerSec, 2),
      pgFirstPerSec: round(pgFirstPerSec, 0),
      sqliteFirstPerSec: round(sqliteFirstPerSec, 0),
    };
  } finally {
    await api.stop();
  }
}
