import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import type { FakeApiStats } from "../src/fake-api/types.js";

/** The fake's entry point, compiled beside this file (dist-bench/src/fake-api/main.js). */
const FAKE_MAIN = fileURLToPath(new URL("../src/fake-api/main.js", import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface FakeApiConfig {
  apiKeys: string[];
  generated?: Array<{
    count: number;
    workspaceId: string;
    projectName: string;
    idPrefix: string;
    type?: string;
    timeline?: Array<{ status: string; forMs?: number }>;
    loop?: boolean;
    spreadMs?: number;
  }>;
  requestLogLimit?: number;
}

export interface FakeApiProcess {
  /** Base URL, e.g. `http://127.0.0.1:PORT/api/v1/workspace`. */
  readonly url: string;
  readonly pid: number;
  stats(): Promise<FakeApiStats>;
  /** CPU time (user + system) the fake has used so far, in ms, from /proc. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/**
 * Runs the fake Intuned API in its own process, so that it never shares an event loop (or a core's
 * time slice accounting) with the code under measurement. Always on 127.0.0.1.
 */
export async function startFakeApiProcess(config: FakeApiConfig): Promise<FakeApiProcess> {
  const child = spawn(process.execPath, [FAKE_MAIN, "-"], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(JSON.stringify({ host: "127.0.0.1", requestLogLimit: 0, ...config }));
  const url = await readUrl(child);
  const pid = child.pid!;
  return {
    url,
    pid,
    async stats() {
      const statsUrl = `${new URL(url).origin}/_fake/stats`;
      const response = await request(statsUrl, { headersTimeout: 5_000, bodyTimeout: 5_000 });
      return (await response.body.json()) as FakeApiStats;
    },
    cpuMs: () => processCpuMs(pid),
    stop: () => stopChild(child),
  };
}

function readUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => fail(new Error("the fake API did not start in time")), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("exit", (code) => fail(new Error(`the fake API exited with code ${code} before listening`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const newline = buffered.indexOf("\n");
      if (newline === -1) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      const { url } = JSON.parse(buffered.slice(0, newline)) as { url: string };
      if (!url.startsWith("http://127.0.0.1:")) {
        fail(new Error(`the fake API listens on ${url}, not on loopback`));
        return;
      }
      resolve(url);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** utime + stime of a process from /proc/PID/stat, in ms (Linux; 0 elsewhere). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** USER_HZ; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;
