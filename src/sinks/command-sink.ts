import { type ChildProcess, spawn } from "node:child_process";
import type { CommandSinkConfig } from "../config/types.js";
import { formatDuration } from "../duration.js";
import type { FailureCode } from "../errors/codes.js";
import type { AuthwatchEvent } from "../events.js";
import { buildCommandEnv } from "./command-env.js";
import type { DeliveryContext, DeliveryOutcome, Sink } from "./sink.js";

export interface CommandSinkDeps {
  /** The environment the command inherits; defaults to authwatch's own. */
  env?: NodeJS.ProcessEnv;
  /** How long a command has to exit after SIGTERM before it gets SIGKILL. */
  killGraceMs?: number;
}

export const DEFAULT_KILL_GRACE_MS = 3_000;
/** Enough stderr to find its last line; a chatty command cannot grow our memory. */
const STDERR_KEEP_CHARS = 8_192;
const STDERR_LINE_MAX = 300;
/** After the program exits, how long a grandchild holding its stderr open may delay the outcome. */
const STDIO_CLOSE_WAIT_MS = 250;

/**
 * Runs argv without a shell, the event JSON (plus a newline) on stdin and `AUTHWATCH_*` in env.
 * Exit 0 is delivered; a non-zero exit or the timeout is retried like a failing webhook.
 */
export function createCommandSink(config: CommandSinkConfig, deps: CommandSinkDeps = {}): Sink {
  return {
    config,
    durable: true,
    deliver(event, context) {
      return runCommand(config, event, context, deps).catch((error: unknown) => {
        // Only a bug gets here; the contract is never to throw.
        const reason = error instanceof Error ? error.message : String(error);
        return {
          kind: "retry",
          error: { code: "COMMAND_FAILED", message: reason },
        } satisfies DeliveryOutcome;
      });
    },
  };
}

function runCommand(
  config: CommandSinkConfig,
  event: AuthwatchEvent,
  context: DeliveryContext,
  deps: CommandSinkDeps,
): Promise<DeliveryOutcome> {
  const [program, ...args] = config.command;
  if (program === undefined || program === "") {
    return Promise.resolve(permanent("COMMAND_SPAWN_FAILED", "the sink's command is empty"));
  }
  if (context.signal.aborted) return Promise.resolve(ABORTED);
  const env = buildCommandEnv(deps.env ?? process.env, event, context.attempt);
  const graceMs = deps.killGraceMs ?? DEFAULT_KILL_GRACE_MS;

  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      // detached: the command leads its own process group, so a timeout also stops what it started
      // (a shell script's curl), not just the script.
      child = spawn(program, args, { shell: false, detached: true, env, stdio: ["pipe", "ignore", "pipe"] });
    } catch (error) {
      // Arguments Node refuses outright (e.g. a NUL byte) fail synchronously.
      resolve(spawnFailure(program, error));
      return;
    }

    let settled = false;
    let killedFor: "timeout" | "abort" | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let stderr = "";
    const timers: NodeJS.Timeout[] = [];

    const finish = (outcome: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      context.signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const outcome = (): DeliveryOutcome => {
      const last = lastLine(stderr);
      const detail = last ? `: ${last}` : "";
      if (killedFor === "abort") return ABORTED;
      if (killedFor === "timeout") {
        return retry(
          "COMMAND_TIMEOUT",
          `${program} did not finish within ${formatDuration(config.timeoutMs)} and was killed${detail}`,
        );
      }
      if (exit?.code === 0) return { kind: "delivered" };
      const how =
        exit?.code != null ? `exited with code ${exit.code}` : `was killed by ${exit?.signal ?? "a signal"}`;
      return retry("COMMAND_FAILED", `${program} ${how}${detail}`);
    };
    const kill = (reason: "timeout" | "abort") => {
      if (killedFor !== undefined || exit !== undefined) return;
      killedFor = reason;
      signalGroup(child, "SIGTERM");
      timers.push(setTimeout(() => signalGroup(child, "SIGKILL"), graceMs));
    };
    const onAbort = () => kill("abort");

    child.on("error", (error) => {
      // After a successful spawn, errors (a failed kill) do not decide anything: exit does.
      if (child.pid === undefined) finish(spawnFailure(program, error));
    });
    child.on("exit", (code, signal) => {
      if (child.pid === undefined) return;
      exit = { code, signal };
      // Whatever the command left running after we had to stop it goes too.
      if (killedFor !== undefined) signalGroup(child, "SIGKILL");
      timers.push(
        setTimeout(() => {
          child.stderr?.destroy();
          finish(outcome());
        }, STDIO_CLOSE_WAIT_MS),
      );
    });
    child.on("close", () => {
      if (child.pid !== undefined && exit !== undefined) finish(outcome());
    });

    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
    });
    // A command need not read its input: EPIPE here is not a failure, its exit code is what counts.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(`${JSON.stringify(event)}\n`);

    timers.push(setTimeout(() => kill("timeout"), config.timeoutMs));
    context.signal.addEventListener("abort", onAbort, { once: true });
  });
}

const ABORTED: DeliveryOutcome = retry("ABORTED", "delivery cancelled");

function retry(code: FailureCode, message: string): DeliveryOutcome {
  return { kind: "retry", error: { code, message } };
}

function permanent(code: FailureCode, message: string): DeliveryOutcome {
  return { kind: "permanent", error: { code, message } };
}

function spawnFailure(program: string, error: unknown): DeliveryOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") {
    return permanent(
      "COMMAND_NOT_FOUND",
      `${program} does not exist; check the sink's command (relative paths start at the watchlist's folder)`,
    );
  }
  if (code === "EACCES" || code === "EPERM" || code === "ENOEXEC" || code === "ERR_INVALID_ARG_VALUE") {
    return permanent(
      "COMMAND_SPAWN_FAILED",
      `${program} could not be started (${code}); is it an executable?`,
    );
  }
  // Out of processes or file descriptors: may pass.
  return retry("COMMAND_SPAWN_FAILED", `${program} could not be started (${String(code ?? error)})`);
}

/** Signals the command's whole process group; falls back to the process alone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function lastLine(text: string): string {
  const line =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .at(-1) ?? "";
  return line.length > STDERR_LINE_MAX ? `${line.slice(0, STDERR_LINE_MAX)}…` : line;
}
