import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const UNIT_PATH = join(REPO, "systemd/authwatch.service");
const UNIT = readFileSync(UNIT_PATH, "utf8");

/** Contract §5: on SIGTERM the daemon exits within 10 s (`--shutdown-timeout`). */
const DAEMON_SHUTDOWN_TIMEOUT_MS = 10_000;
/** The exposure `systemd-analyze security` may give the unit at most (0 is best, 10 worst). */
const MAX_EXPOSURE = 1.5;

interface Directive {
  section: string;
  key: string;
  value: string;
}

/** The unit's `Key=value` lines with their section; comments and blank lines dropped. */
function parseUnit(text: string): Directive[] {
  const directives: Directive[] = [];
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0) directives.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return directives;
}

const directives = parseUnit(UNIT);
const service = directives.filter((d) => d.section === "Service");
const valuesOf = (key: string) => service.filter((d) => d.key === key).map((d) => d.value);
/** The effective value of a single-valued setting: systemd keeps the last assignment. */
const lastValueOf = (key: string) => valuesOf(key).at(-1);
const isTrue = (value: string | undefined) => value !== undefined && /^(yes|true|on|1)$/i.test(value);

const TIMESPAN_UNITS_MS: Record<string, number> = {
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

/** A systemd time span ("15", "15s", "1min 30s"; a bare number is seconds) in ms, or undefined. */
function parseTimespanMs(value: string): number | undefined {
  const parts = value.trim().match(/\d+(?:\.\d+)?\s*[a-z]*/gi);
  if (!parts || parts.join("").replace(/\s/g, "") !== value.replace(/\s/g, "")) return undefined;
  let total = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(part)!;
    const factor = unit === "" ? 1000 : TIMESPAN_UNITS_MS[unit!.toLowerCase()];
    if (factor === undefined) return undefined;
    total += Number(amount) * factor;
  }
  return total;
}

describe("systemd/authwatch.service", () => {
  it("starts the daemon with the watchlist in /etc/authwatch as a Type=exec service", () => {
    expect(lastValueOf("Type")).toBe("exec");
    const execStart = valuesOf("ExecStart");
    expect(execStart).toHaveLength(1);
    expect(execStart[0]).toMatch(/^\/\S+ \S*dist\/cli\.js watch /);
    expect(execStart[0]).toContain("--watchlist /etc/authwatch/watchlist.json");
    expect(execStart[0]).toMatch(/--listen 127\.0\.0\.1:\d+/);
  });

  it("reloads by sending SIGHUP to the main process", () => {
    expect(valuesOf("ExecReload")).toEqual([
      expect.stringMatching(/kill (-HUP|-s HUP|--signal=HUP) \$MAINPID$/),
    ]);
  });

  it("restarts after a failure but not after a configuration error (exit 2)", () => {
    expect(lastValueOf("Restart")).toBe("on-failure");
    expect(valuesOf("RestartPreventExitStatus").join(" ").split(/\s+/)).toContain("2");
  });

  it("gives the daemon a state directory and the API key as a credential, under a dynamic user", () => {
    expect(lastValueOf("StateDirectory")).toBe("authwatch");
    expect(isTrue(lastValueOf("DynamicUser"))).toBe(true);
    expect(valuesOf("LoadCredential")).toContain(
      "intuned-api-key:/etc/authwatch/credentials/intuned-api-key",
    );
  });

  it("sets the production environment and the info log level", () => {
    const environment = valuesOf("Environment").join(" ").split(/\s+/);
    expect(environment).toContain("NODE_ENV=production");
    expect(environment).toContain("AUTHWATCH_LOG_LEVEL=info");
  });

  it("waits longer than the daemon's own shutdown timeout before SIGKILL", () => {
    const timeout = lastValueOf("TimeoutStopSec");
    expect(timeout, "TimeoutStopSec= is not set").toBeDefined();
    const timeoutMs = parseTimespanMs(timeout!);
    expect(timeoutMs, `TimeoutStopSec=${timeout} is not a time span this test understands`).toBeDefined();
    expect(timeoutMs!).toBeGreaterThan(DAEMON_SHUTDOWN_TIMEOUT_MS);
  });

  it("avoids the sandbox settings that stop Node from running", () => {
    // V8's JIT needs writable-then-executable memory; os.cpus() needs /proc/cpuinfo and /proc/stat.
    expect(isTrue(lastValueOf("MemoryDenyWriteExecute"))).toBe(false);
    expect(lastValueOf("ProcSubset")).not.toBe("pid");
    // @system-service lacks pkey_alloc, which V8 calls at start: Node dies of SIGSYS without one of these.
    const filter = valuesOf("SystemCallFilter").join(" ").split(/\s+/);
    expect(filter.includes("@pkey") || lastValueOf("SystemCallErrorNumber") !== undefined).toBe(true);
  });

  it("leaves the daemon a way to the internet, where the Intuned API and the webhook receivers are", () => {
    expect(isTrue(lastValueOf("PrivateNetwork"))).toBe(false);
    expect(valuesOf("IPAddressDeny")).toEqual([]);
    const families = valuesOf("RestrictAddressFamilies").join(" ").split(/\s+/);
    expect(families).toEqual(expect.arrayContaining(["AF_INET", "AF_INET6"]));
    expect(families.some((family) => family.startsWith("~"))).toBe(false);
  });
});

function findSystemdAnalyze(): string | undefined {
  for (const candidate of ["systemd-analyze", "/usr/bin/systemd-analyze", "/bin/systemd-analyze"]) {
    const probe = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const systemdAnalyze = findSystemdAnalyze();
if (systemdAnalyze === undefined) {
  console.warn(
    "test/systemd: systemd-analyze not found; skipping `verify` and `security` of systemd/authwatch.service",
  );
}

describe.skipIf(systemdAnalyze === undefined)("systemd/authwatch.service under systemd-analyze", () => {
  let dir: string;

  const analyze = (...args: string[]) => {
    const result = spawnSync(systemdAnalyze!, ["--no-pager", ...args], { encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  /**
   * `verify` checks that ExecStart's program exists, so it runs on a copy (named like the original, since the
   * name shows in the output) whose node and dist/cli.js are this machine's: /usr/bin/node and /opt/authwatch
   * need not exist where the tests run.
   */
  const writeCopy = (text: string) => {
    const path = join(dir, "authwatch.service");
    const local = text.replace(
      /^ExecStart=\/usr\/bin\/node \/opt\/authwatch\/dist\/cli\.js /m,
      `ExecStart=${process.execPath} ${join(REPO, "dist/cli.js")} `,
    );
    expect(local, "ExecStart no longer runs /usr/bin/node /opt/authwatch/dist/cli.js").not.toBe(text);
    writeFileSync(path, local);
    return path;
  };

  /**
   * What `verify` says about our unit. Lines that name another unit file on this host (verify also loads
   * network-online.target and multi-user.target and their dependencies) are about the host, not us.
   */
  const verifyFindings = (path: string) => {
    const { status, output } = analyze("verify", path);
    const lines = output.split("\n").filter((line) => line.trim() !== "");
    const ours = lines.filter(
      (line) => !/^\/\S+\.(service|target|socket|mount|slice):/.test(line) || line.startsWith(path),
    );
    return { status, ours };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "authwatch-systemd-"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`rates the unit's exposure at ${MAX_EXPOSURE} or lower`, () => {
    const { status, output } = analyze("security", "--offline=yes", UNIT_PATH);
    expect(status, output).toBe(0);
    const match = /Overall exposure level for authwatch\.service: (\d+(?:\.\d+)?)/.exec(output);
    expect(match, output).not.toBeNull();
    const failing = output.split("\n").filter((line) => line.startsWith("✗"));
    expect(Number(match![1]), `settings still exposed:\n${failing.join("\n")}`).toBeLessThanOrEqual(
      MAX_EXPOSURE,
    );
  });

  it("passes systemd-analyze verify without a complaint", () => {
    const { status, ours } = verifyFindings(writeCopy(UNIT));
    expect(ours).toEqual([]);
    expect(status).toBe(0);
  });

  it("passes systemd-analyze verify with the commented webhook-secret credential example switched on", () => {
    const example = UNIT.split("\n")
      .map((line) => /^#\s+((LoadCredential|Environment)=\S*oncall-webhook-secret\S*)$/.exec(line)?.[1])
      .filter((line) => line !== undefined);
    expect(example).toEqual([
      expect.stringMatching(/^LoadCredential=oncall-webhook-secret:\//),
      expect.stringMatching(/^Environment=\w+=%d\/oncall-webhook-secret$/),
    ]);
    const withExample = UNIT.replace(/^\[Install\]$/m, `${example.join("\n")}\n\n[Install]`);
    const { status, ours } = verifyFindings(writeCopy(withExample));
    expect(ours).toEqual([]);
    expect(status).toBe(0);
  });
});
