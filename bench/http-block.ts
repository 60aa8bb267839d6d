import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { createApiDispatcher } from "../src/api/dispatcher.js";
import { loadWatchlist } from "../src/config/load.js";
import { startDaemon } from "../src/daemon/daemon.js";
import { API_KEY, benchEnv, PROJECT, WORKSPACE_ID } from "./bench-config.js";
import { createBenchLogger } from "./bench-logger.js";
import { startFakeApiProcess } from "./fake-api-process.js";
import { collectGarbage, sleep, waitFor } from "./measure.js";
import { probeDispatcher } from "./probe-dispatcher.js";
import { prepareSteadyFiles } from "./steady-prepare.js";

export interface HttpBlockOptions {
  sessions: number;
}

export interface HttpBlockResult {
  sessions: number;
  /** Per endpoint: the longest the daemon's event loop was held while serving it, and the body size. */
  endpoints: Record<string, { maxBlockMs: number; maxWallGapMs: number; ms: number; bytes: number }>;
  /** The worst of them: the target is ≤ 50. */
  maxBlockMs: number;
}

/** CPU time of this process's main thread (the event loop) in ms, from /proc; 10 ms resolution. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The longest single turn of the event loop: a setImmediate chain notes the time at every turn, so a
 * gap between two notes is work that held the loop (a synchronous JSON.stringify of 50,000 sessions).
 * On a shared machine a gap also includes time the thread was simply not scheduled, which is no work
 * of ours: a turn's block is the smaller of its wall-clock gap and the CPU the main thread used in it
 * (on an idle machine the two agree; GC helper threads are not counted). The wall-clock gap is
 * reported beside it.
 */
function startBlockProbe() {
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  let maxBlock = 0;
  let maxWall = 0;
  let running = true;
  const tick = () => {
    const at = performance.now();
    const cpu = mainThreadCpuMs();
    maxWall = Math.max(maxWall, at - last);
    maxBlock = Math.max(maxBlock, Math.min(at - last, cpu - lastCpu));
    last = at;
    lastCpu = cpu;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop() {
      running = false;
      return { maxBlock, maxWall };
    },
  };
}

/**
 * A client in another process (its parsing must not count against the daemon's loop) that reads the
 * body to the end, or, for /events, until `events` events arrived; prints the bytes it read.
 */
function fetchInChild(url: string, headers: Record<string, string>, events = 0): Promise<number> {
  const script = `
    const [url, headers, events] = [process.argv[1], JSON.parse(process.argv[2]), Number(process.argv[3])];
    const response = await fetch(url, { headers });
    let bytes = 0, seen = 0, tail = "";
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      bytes += chunk.length;
      if (events > 0) {
        const text = tail + decoder.decode(chunk, { stream: true });
        seen += text.split("\\nid: ").length - 1;
        tail = text.slice(-4);
        if (seen >= events) break;
      }
    }
    process.stdout.write(String(bytes));
    process.exit(0);`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", script, url, JSON.stringify(headers), String(events)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`fetch ${url}: exit ${code}`)),
    );
  });
}

/** A real daemon watching N sessions, restarted onto a state file in which each was seen once. */
export async function measureHttpBlock(options: HttpBlockOptions): Promise<HttpBlockResult> {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-http-"));
  const idPrefix = "http-";
  const api = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: [{ count: options.sessions, workspaceId: WORKSPACE_ID, projectName: PROJECT, idPrefix }],
  });
  try {
    const files = prepareSteadyFiles(dir, options.sessions, idPrefix);
    const db = new Database(files.statePath, { readonly: true });
    const firstEventId = (
      db.prepare("SELECT event_id FROM events ORDER BY seq LIMIT 1").get() as { event_id: string }
    ).event_id;
    db.close();
    const config = loadWatchlist(files.watchlistPath, benchEnv(api.url), { requireSecrets: true });
    const probe = probeDispatcher(createApiDispatcher({ connections: config.api.concurrency }));
    const daemon = await startDaemon({
      config,
      logger: createBenchLogger(),
      apiDispatcher: probe.dispatcher,
      listen: { host: "127.0.0.1", port: 0 },
    });
    process.stderr.write(`  ${options.sessions} sessions: waiting for the start-up polls …\n`);
    await waitFor(() => probe.answered() >= options.sessions, 180_000, "the start-up polls");
    await sleep(500);
    collectGarbage();

    const base = daemon.statusUrl!;
    const endpoints: HttpBlockResult["endpoints"] = {};
    const targets: [string, string, Record<string, string>, number][] = [
      ["/sessions", "/sessions", {}, 0],
      ["/metrics", "/metrics", {}, 0],
      ["/timeline", "/timeline", {}, 0],
      ["/events (replay)", "/events", { "last-event-id": firstEventId }, options.sessions - 1],
      ["/", "/", {}, 0],
    ];
    for (const [name, path, headers, events] of targets) {
      process.stderr.write(`  GET ${name} …\n`);
      const blocks = startBlockProbe();
      const started = performance.now();
      const bytes = await fetchInChild(`${base}${path}`, headers, events);
      const ms = performance.now() - started;
      const { maxBlock, maxWall } = blocks.stop();
      endpoints[name] = { maxBlockMs: maxBlock, maxWallGapMs: maxWall, ms, bytes };
      await sleep(200);
    }
    await daemon.stop(5_000);
    await probe.close();
    const maxBlockMs = Math.max(...Object.values(endpoints).map((e) => e.maxBlockMs));
    return { sessions: options.sessions, endpoints, maxBlockMs };
  } finally {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
