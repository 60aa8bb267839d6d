import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIO } from "../helpers/capture-io.js";
import { CLI_PATH } from "../helpers/run-cli-process.js";

/** util-linux `script` gives the daemon a real terminal, as an operator's shell would. */
const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;
const ESC = "\u001b[";

/**
 * Runs `authwatch watch` (no sessions, a console sink) on a pseudo-terminal until its first line
 * after "is watching", and returns everything the terminal showed.
 */
async function watchOnTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-tty-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "watchlist.json"), JSON.stringify({ sinks: [{ name: "log", type: "console" }] }));
  // `script` puts the daemon in a session of its own on the terminal, out of reach of a signal to
  // script's process group, and the daemon takes the terminal's SIGHUP as "reload": it would outlive
  // the test. So the shell records the daemon's pid ($$, kept by exec) for the cleanup to kill.
  const pidFile = join(dir, "watch.pid");
  const command = `echo $$ > ${pidFile}; exec ${[process.execPath, CLI_PATH, "watch", ...args].join(" ")}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", INTUNED_API_KEY: "k-tty-test", ...env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const killAll = (signal: NodeJS.Signals) => {
    try {
      process.kill(Number(readFileSync(pidFile, "utf8")), signal);
    } catch {}
    try {
      process.kill(-(child.pid ?? 0), signal);
    } catch {}
  };
  onTestFinished(() => killAll("SIGKILL"));
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await expect.poll(() => output, { timeout: 20_000, interval: 50 }).toContain("is watching");
  killAll("SIGTERM");
  return output;
}

describe.skipIf(!HAS_SCRIPT)("log lines on a terminal", () => {
  it("are pretty and coloured by default", async () => {
    const output = await watchOnTerminal([], {});
    expect(output).toContain(ESC);
    expect(output).not.toMatch(/^\{"level"/m);
  });

  it("have no colour when NO_COLOR is set", async () => {
    const output = await watchOnTerminal([], { NO_COLOR: "1" });
    expect(output).toMatch(/INFO.*authwatch is watching/);
    expect(output).not.toContain(ESC);
  });

  it("are JSON with --log-format json, or AUTHWATCH_LOG_FORMAT=json", async () => {
    for (const [args, env] of [
      [["--log-format", "json"], {}],
      [[], { AUTHWATCH_LOG_FORMAT: "json" }],
    ] as const) {
      const output = await watchOnTerminal([...args], { ...env });
      const line = output.split(/\r?\n/).find((text) => text.includes("is watching")) ?? "";
      expect(JSON.parse(line)).toMatchObject({ msg: "authwatch is watching", level: 30 });
    }
  });
});

describe("--log-format", () => {
  it("rejects a format it does not know, from the flag or the environment, with exit 2", async () => {
    const flag = captureIO({}, tmpdir());
    expect(await runCli(["--log-format", "xml", "demo"], flag)).toBe(2);
    expect(flag.stderrText()).toContain("--log-format");
    const env = captureIO({ AUTHWATCH_LOG_FORMAT: "xml" }, tmpdir());
    expect(await runCli(["demo"], env)).toBe(2);
    expect(env.stderrText()).toBe(
      'authwatch: AUTHWATCH_LOG_FORMAT "xml" is not a log format; use json or pretty\n',
    );
  });
});
