import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { request } from "undici";
import { parseAuthSessionList } from "../src/api/validate.js";
import { parseWatchlist } from "../src/config/parse.js";
import { resolveConfig } from "../src/config/resolve.js";
import { type Daemon, startDaemon } from "../src/daemon/daemon.js";
import { diffProjectListing } from "../src/projects/diff-listing.js";
import { createIdFilter } from "../src/projects/id-filter.js";
import type { SessionState } from "../src/types.js";
import { API_KEY, benchEnv, WORKSPACE_ID } from "./bench-config.js";
import { createBenchLogger } from "./bench-logger.js";
import { type FakeApiProcess, startFakeApiProcess } from "./fake-api-process.js";
import { waitFor } from "./measure.js";
import { median, percentile, round } from "./stats.js";

export interface ProjectsBenchOptions {
  /** listRequestRatio: `sessions` in `projects` projects, polled at `intervalMs`, counted over `windowMs`. */
  ratio: { sessions: number; projects: number; intervalMs: number; warmUpMs: number; windowMs: number };
  /** listDetectionP95Ms: `changes` status changes among `sessions` of one project at a `intervalMs` interval. */
  detection: { sessions: number; intervalMs: number; changes: number; gapMs: number };
  /** listParseMsPer10k: `runs` parses and diffs of one list of `count` sessions. */
  parse: { count: number; runs: number };
}

export interface ProjectsBenchResult {
  listRequestRatio: number;
  listRequestsPerMin: number;
  getRequestsPerMin: number;
  listDetectionP95Ms: number;
  getDetectionP95Ms: number;
  listParseMsPer10k: number;
  /** The first listing of a project: every session is new, so every one is an observation. */
  listFirstParseMsPer10k: number;
}

const project = (i: number) => `bench-project-${i}`;
const id = (i: number) => `user-${i}`;

/** A daemon watching the fake through `projects` entries or the same sessions one by one. */
async function startBenchDaemon(
  fake: FakeApiProcess,
  mode: "list" | "get",
  sessions: Array<{ projectName: string; authSessionId: string }>,
  intervalMs: number,
  dir: string,
): Promise<Daemon> {
  const projects = [...new Set(sessions.map((s) => s.projectName))];
  const watchlist = {
    api: { workspaceId: WORKSPACE_ID, timeout: "10s", concurrency: 32, maxRequestsPerSecond: 100_000 },
    defaults: { interval: intervalMs, jitter: 0.1, failureThreshold: 3 },
    ...(mode === "list"
      ? { projects: projects.map((name) => ({ project: name })) }
      : { sessions: sessions.map((s) => ({ project: s.projectName, id: s.authSessionId })) }),
    state: join(dir, `${mode}-${Date.now()}.db`),
  };
  const parsed = parseWatchlist(watchlist);
  if (!parsed.ok) throw new Error(`bench watchlist invalid: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
  const config = resolveConfig(parsed.value, { env: benchEnv(fake.url), requireSecrets: true });
  return startDaemon({ config, logger: createBenchLogger() });
}

async function requestsPerMin(
  options: ProjectsBenchOptions["ratio"],
  mode: "list" | "get",
  dir: string,
): Promise<number> {
  const perProject = options.sessions / options.projects;
  const fake = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: Array.from({ length: options.projects }, (_, p) => ({
      count: perProject,
      workspaceId: WORKSPACE_ID,
      projectName: project(p),
      idPrefix: "user-",
    })),
  });
  const sessions = Array.from({ length: options.sessions }, (_, i) => ({
    projectName: project(Math.floor(i / perProject)),
    authSessionId: id(i % perProject),
  }));
  const daemon = await startBenchDaemon(fake, mode, sessions, options.intervalMs, dir);
  try {
    await new Promise((resolve) => setTimeout(resolve, options.warmUpMs));
    const before = (await fake.stats()).requests;
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    const after = (await fake.stats()).requests;
    return ((after - before) * 60_000) / options.windowMs;
  } finally {
    await daemon.stop(5_000);
    await fake.stop();
  }
}

/** From a status change in the fake (just before its control request is sent) to the event on the bus. */
async function detectionMs(
  options: ProjectsBenchOptions["detection"],
  mode: "list" | "get",
  dir: string,
): Promise<number[]> {
  const projectName = project(0);
  const fake = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: [{ count: options.sessions, workspaceId: WORKSPACE_ID, projectName, idPrefix: "user-" }],
  });
  const sessions = Array.from({ length: options.sessions }, (_, i) => ({
    projectName,
    authSessionId: id(i),
  }));
  const daemon = await startBenchDaemon(fake, mode, sessions, options.intervalMs, dir);
  const pending = new Map<string, { at: number; to: string }>();
  const latencies: number[] = [];
  let seen = 0;
  daemon.bus.on("event", (event) => {
    if (!("to" in event.data)) return;
    seen++;
    const change = pending.get(event.data.authSessionId);
    if (change && change.to === event.data.to) {
      latencies.push(performance.now() - change.at);
      pending.delete(event.data.authSessionId);
    }
  });
  const control = `${new URL(fake.url).origin}/_control/status`;
  try {
    await waitFor(() => seen >= options.sessions, 30_000, "first observations");
    for (let i = 0; i < options.changes; i++) {
      const authSessionId = id(i % options.sessions);
      const to = Math.floor(i / options.sessions) % 2 === 0 ? "EXPIRED" : "READY";
      pending.set(authSessionId, { at: performance.now(), to });
      const response = await request(control, {
        method: "POST",
        body: JSON.stringify({ workspaceId: WORKSPACE_ID, projectName, authSessionId, status: to }),
      });
      await response.body.dump();
      await new Promise((resolve) => setTimeout(resolve, options.gapMs * (0.5 + Math.random())));
    }
    await waitFor(() => pending.size === 0, options.intervalMs * 5, "every change detected");
    return latencies;
  } finally {
    await daemon.stop(5_000);
    await fake.stop();
  }
}

/** Median ms of JSON.parse + validation + diff of one list, against members that already match it or none. */
function parseAndDiffMs(options: ProjectsBenchOptions["parse"]): { steady: number; first: number } {
  const items = Array.from({ length: options.count }, (_, i) => ({
    id: `customer-user-${i}`,
    type: "CREDENTIALS",
    status: i % 10 === 0 ? "PENDING" : "READY",
  }));
  const body = JSON.stringify(items);
  const states = new Map<string, SessionState>(
    items.map((item) => [item.id, { status: item.status, sessionType: item.type, since: 0 }]),
  );
  const known = { stateOf: (key: string) => states.get(key), ids: () => states.keys() };
  const none = { stateOf: () => undefined, ids: () => [] };
  const filter = createIdFilter(["customer-*"], ["customer-test-*"]);
  const run = (members: typeof known | typeof none) => {
    const started = performance.now();
    const parsed = parseAuthSessionList(JSON.parse(body));
    if (!parsed.ok) throw new Error(parsed.reason);
    diffProjectListing(members, parsed.records, filter);
    return performance.now() - started;
  };
  for (let i = 0; i < 5; i++) run(known);
  const steady: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    steady.push(run(known));
    first.push(run(none));
  }
  const per10k = 10_000 / options.count;
  return { steady: median(steady) * per10k, first: median(first) * per10k };
}

export async function measureProjects(
  options: ProjectsBenchOptions,
  progress: (line: string) => void,
): Promise<ProjectsBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-projects-"));
  try {
    const parse = parseAndDiffMs(options.parse);
    progress(`parse + diff of ${options.parse.count} sessions: ${parse.steady.toFixed(2)} ms per 10,000`);
    const list = await requestsPerMin(options.ratio, "list", dir);
    const get = await requestsPerMin(options.ratio, "get", dir);
    progress(`requests per minute: ${list.toFixed(1)} by list, ${get.toFixed(0)} one by one`);
    const listDetection = await detectionMs(options.detection, "list", dir);
    const getDetection = await detectionMs(options.detection, "get", dir);
    progress(
      `detection p95: ${percentile(listDetection, 95).toFixed(0)} ms by list, ${percentile(getDetection, 95).toFixed(0)} ms by GET`,
    );
    return {
      listRequestRatio: round(list / get, 4),
      listRequestsPerMin: round(list, 1),
      getRequestsPerMin: round(get, 0),
      listDetectionP95Ms: round(percentile(listDetection, 95), 0),
      getDetectionP95Ms: round(percentile(getDetection, 95), 0),
      listParseMsPer10k: round(parse.steady, 2),
      listFirstParseMsPer10k: round(parse.first, 2),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
