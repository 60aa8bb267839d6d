import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { CLI_PATH } from "./run-cli-process.js";

export interface WatchProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  lines(): Record<string, unknown>[];
  stderr(): string;
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node dist/cli.js watch …` as a real child process whose JSON log lines the test reads. */
export function startWatchProcess(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): WatchProcess {
  const child = spawn(process.execPath, [CLI_PATH, "watch", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const parsed: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      parsed.push(JSON.parse(line) as Record<string, unknown>);
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  return {
    child,
    lines: () => parsed,
    stderr: () => stderr,
    exited,
    waitForLine(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = parsed.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(
              new Error(
                `watch exited (${child.exitCode ?? child.signalCode}) before the line appeared; stderr: ${stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching log line within ${timeoutMs}ms; stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** The event carried by a console-sink log line, if it is one. */
export function eventOf(
  line: Record<string, unknown>,
): { type: string; data: Record<string, unknown> } | undefined {
  return line.event as { type: string; data: Record<string, unknown> } | undefined;
}

/**
 * Whether a process has a handler installed for `signal` (Linux: the SigCgt mask in /proc), so a test
 * can send it the moment the process can catch it instead of guessing with a sleep.
 */
export function catchesSignal(pid: number, signal: NodeJS.Signals): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return false;
  }
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (mask === undefined) return false;
  const bit = BigInt(osConstants.signals[signal]) - 1n;
  return ((BigInt(`0x${mask}`) >> bit) & 1n) === 1n;
}
