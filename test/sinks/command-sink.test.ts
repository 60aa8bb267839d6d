import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TransitionEvent } from "../../src/events.js";
import { createCommandSink } from "../../src/sinks/command-sink.js";
import { attemptContext, commandConfig, EXPIRED, FIRST_READY, UNAUTHORIZED } from "./fixtures.js";

const NODE = process.execPath;

/** Writes what the command received (stdin, AUTHWATCH_* env, args) to the file named by its first argument. */
const RECORD = `
const fs = require("node:fs");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith("AUTHWATCH_") || k === "FROM_PARENT") env[k] = v;
  fs.writeFileSync(process.argv[1], JSON.stringify({ input, env, args: process.argv.slice(2) }));
});`;

/** Writes its pid (and its own child's, when asked) to the file named by its first argument, then hangs. */
const HANG = `
const fs = require("node:fs");
if (process.argv[2] === "ignore-term") process.on("SIGTERM", () => {});
const pids = [process.pid];
if (process.argv[2] === "with-child") {
  const child = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  pids.push(child.pid);
}
fs.writeFileSync(process.argv[1], JSON.stringify(pids));
setInterval(() => {}, 1000);`;

let dir: string;
let n = 0;
const tempFile = () => join(dir, `out-${n++}.json`);
const pidFiles: string[] = [];
/** A pid file of a hanging command: whatever it names is killed after the test, even one that failed. */
const pidFile = () => {
  const path = tempFile();
  pidFiles.push(path);
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "authwatch-command-sink-"));
});
afterEach(async () => {
  for (const path of pidFiles.splice(0)) {
    const pids = JSON.parse(await readFile(path, "utf8").catch(() => "[]")) as number[];
    for (const pid of pids) {
      if (await isRunning(pid)) process.kill(pid, "SIGKILL");
    }
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Gone or a zombie waiting for its reaper: either way it no longer runs. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

async function readJson<T>(path: string): Promise<T> {
  await eventually(async () => (await readFile(path, "utf8").catch(() => "")) !== "");
  return JSON.parse(await readFile(path, "utf8")) as T;
}

interface Recorded {
  input: string;
  env: Record<string, string>;
  args: string[];
}

describe("the command sink", () => {
  const parentEnv = {
    PATH: process.env.PATH ?? "",
    FROM_PARENT: "yes",
    AUTHWATCH_TO: "stale",
    AUTHWATCH_PROJECT: "stale",
  };

  it("writes the exact event JSON to stdin and runs argv without a shell", async () => {
    const out = tempFile();
    const sink = createCommandSink(commandConfig([NODE, "-e", RECORD, out, "two words", "$HOME;x"]), {
      env: parentEnv,
    });
    expect(await sink.deliver(EXPIRED, attemptContext(2))).toEqual({ kind: "delivered" });
    const recorded = await readJson<Recorded>(out);
    expect(recorded.input).toBe(`${JSON.stringify(EXPIRED)}\n`);
    expect(recorded.args).toEqual(["two words", "$HOME;x"]);
    expect(recorded.env).toEqual({
      FROM_PARENT: "yes",
      AUTHWATCH_EVENT_TYPE: "authsession.expired",
      AUTHWATCH_EVENT_ID: EXPIRED.data.eventId,
      AUTHWATCH_WORKSPACE_ID: EXPIRED.data.workspaceId,
      AUTHWATCH_PROJECT: "my-project",
      AUTHWATCH_SESSION_ID: "auth-session-123",
      AUTHWATCH_FROM: "READY",
      AUTHWATCH_TO: "EXPIRED",
      AUTHWATCH_ATTEMPT: "2",
    });
  });

  it("sets AUTHWATCH_FROM empty on a first observation", async () => {
    const out = tempFile();
    const sink = createCommandSink(commandConfig([NODE, "-e", RECORD, out]), { env: parentEnv });
    await sink.deliver(FIRST_READY, attemptContext());
    expect((await readJson<Recorded>(out)).env).toMatchObject({ AUTHWATCH_FROM: "", AUTHWATCH_TO: "READY" });
  });

  it("unsets inherited session variables for watcher.unauthorized, which has no session", async () => {
    const out = tempFile();
    const sink = createCommandSink(commandConfig([NODE, "-e", RECORD, out]), { env: parentEnv });
    await sink.deliver(UNAUTHORIZED, attemptContext());
    expect((await readJson<Recorded>(out)).env).toEqual({
      FROM_PARENT: "yes",
      AUTHWATCH_EVENT_TYPE: "watcher.unauthorized",
      AUTHWATCH_EVENT_ID: "evt-unauthorized",
      AUTHWATCH_WORKSPACE_ID: UNAUTHORIZED.data.workspaceId,
      AUTHWATCH_ERROR_CODE: "UNAUTHORIZED",
      AUTHWATCH_ATTEMPT: "1",
    });
  });

  it("retries a non-zero exit with the code and the last line of stderr", async () => {
    const script =
      "console.error('starting'); console.error('reauth failed: bad password\\n'); process.exit(3)";
    const sink = createCommandSink(commandConfig([NODE, "-e", script]));
    expect(await sink.deliver(EXPIRED, attemptContext())).toEqual({
      kind: "retry",
      error: { code: "COMMAND_FAILED", message: `${NODE} exited with code 3: reauth failed: bad password` },
    });
  });

  it("truncates a very long stderr line", async () => {
    const sink = createCommandSink(
      commandConfig([NODE, "-e", "console.error('x'.repeat(100000)); process.exit(1)"]),
    );
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(outcome.kind).toBe("retry");
    if (outcome.kind !== "retry") return;
    expect(outcome.error.message).toMatch(/exited with code 1: x+…$/);
    expect(outcome.error.message.length).toBeLessThan(NODE.length + 400);
  });

  it("delivers when the command exits 0 without reading a large input", async () => {
    const big: TransitionEvent = {
      ...EXPIRED,
      data: { ...EXPIRED.data, labels: { blob: "y".repeat(2_000_000) } },
    };
    const sink = createCommandSink(commandConfig([NODE, "-e", "process.exit(0)"]));
    expect(await sink.deliver(big, attemptContext())).toEqual({ kind: "delivered" });
  });

  it("kills a hanging command at its timeout and retries", async () => {
    const pidPath = pidFile();
    const sink = createCommandSink(commandConfig([NODE, "-e", HANG, pidPath], { timeoutMs: 1_000 }));
    const started = Date.now();
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(outcome).toEqual({
      kind: "retry",
      error: { code: "COMMAND_TIMEOUT", message: `${NODE} did not finish within 1s and was killed` },
    });
    const [pid] = await readJson<number[]>(pidPath);
    expect(await eventually(async () => !(await isRunning(pid ?? 0)))).toBe(true);
  });

  it("kills a command that ignores SIGTERM with SIGKILL after the grace period", async () => {
    const pidPath = pidFile();
    const sink = createCommandSink(
      commandConfig([NODE, "-e", HANG, pidPath, "ignore-term"], { timeoutMs: 1_000 }),
      {
        killGraceMs: 300,
      },
    );
    const started = Date.now();
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_300);
    expect(outcome).toMatchObject({ kind: "retry", error: { code: "COMMAND_TIMEOUT" } });
    const [pid] = await readJson<number[]>(pidPath);
    expect(await isRunning(pid ?? 0)).toBe(false);
  });

  it("also kills what the command started when it times out", async () => {
    const pidPath = pidFile();
    const sink = createCommandSink(
      commandConfig([NODE, "-e", HANG, pidPath, "with-child"], { timeoutMs: 1_500 }),
    );
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(outcome).toMatchObject({ kind: "retry", error: { code: "COMMAND_TIMEOUT" } });
    const started = await readJson<number[]>(pidPath);
    expect(started).toHaveLength(2);
    for (const pid of started) expect(await eventually(async () => !(await isRunning(pid)))).toBe(true);
  });

  it("stops the command when the caller aborts", async () => {
    const pidPath = pidFile();
    const sink = createCommandSink(commandConfig([NODE, "-e", HANG, pidPath], { timeoutMs: 30_000 }));
    const controller = new AbortController();
    const delivery = sink.deliver(EXPIRED, attemptContext(1, controller.signal));
    const [pid] = await readJson<number[]>(pidPath);
    controller.abort();
    expect(await delivery).toMatchObject({ kind: "retry", error: { code: "ABORTED" } });
    expect(await eventually(async () => !(await isRunning(pid ?? 0)))).toBe(true);
  });

  it("does not start the command when the caller has already aborted", async () => {
    const out = tempFile();
    const sink = createCommandSink(commandConfig([NODE, "-e", RECORD, out]));
    const outcome = await sink.deliver(EXPIRED, attemptContext(1, AbortSignal.abort()));
    expect(outcome).toMatchObject({ kind: "retry", error: { code: "ABORTED" } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(readFile(out)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("gives up on a program that does not exist", async () => {
    const sink = createCommandSink(commandConfig(["/nonexistent/authwatch/reauth.sh", "x"]));
    expect(await sink.deliver(EXPIRED, attemptContext())).toEqual({
      kind: "permanent",
      error: {
        code: "COMMAND_NOT_FOUND",
        message:
          "/nonexistent/authwatch/reauth.sh does not exist; check the sink's command (relative paths start at the watchlist's folder)",
      },
    });
  });

  it("gives up on a program that is not executable", async () => {
    const script = join(dir, "not-executable.sh");
    await writeFile(script, "#!/bin/sh\nexit 0\n");
    await chmod(script, 0o644);
    const sink = createCommandSink(commandConfig([script]));
    expect(await sink.deliver(EXPIRED, attemptContext())).toMatchObject({
      kind: "permanent",
      error: { code: "COMMAND_SPAWN_FAILED" },
    });
  });

  it("is durable: failed runs go through the outbox", () => {
    expect(createCommandSink(commandConfig([NODE])).durable).toBe(true);
  });
});
