import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeIntunedApi } from "../src/fake-api/server.js";
import { startReadySessionApi } from "./helpers/ready-session-api.js";
import { CLI_PATH, collectProcess } from "./helpers/run-cli-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const KEY = "sk-live-README-walk-0001";

/** The ```sh blocks of the README's "Run it as a service" section, in order. */
function serviceBlocks(): string[] {
  const section = readme.slice(readme.indexOf("## Run it as a service"), readme.indexOf("## Reference"));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

let api: FakeIntunedApi;
let prefix: string;
beforeAll(async () => {
  api = await startReadySessionApi(KEY);
  prefix = mkdtempSync(join(tmpdir(), "authwatch-readme-root-"));
});
afterAll(async () => {
  await api.close();
  rmSync(prefix, { recursive: true, force: true });
});

/**
 * Runs README commands as written, with the machine's paths moved under a temp folder (no root, no
 * systemd here): /etc → PREFIX/etc, /var/lib → PREFIX/var/lib, /opt/authwatch → this checkout, and
 * `authwatch` → the wrapper step 1 installs. Nothing else is changed; stdin answers `read`.
 */
async function runAsWritten(
  script: string,
  stdin = "",
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const moved = script
    .replaceAll("/opt/authwatch", root.replace(/\/$/, ""))
    .replaceAll("/etc/", `${prefix}/etc/`)
    .replaceAll("/var/lib/authwatch", `${prefix}/var/lib/authwatch`);
  const bin = join(prefix, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "authwatch"), `#!/bin/sh\nexec "${process.execPath}" "${CLI_PATH}" "$@"\n`);
  chmodSync(join(bin, "authwatch"), 0o755);
  // Not spawnSync: the fake API answers from this process's event loop.
  const child = spawn("bash", ["--norc", "--noprofile", "-eo", "pipefail", "-c", moved], {
    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: prefix, INTUNED_API_BASE_URL: api.url },
  });
  child.stdin.end(stdin);
  const { code, stdout, stderr } = await collectProcess(child);
  return { status: code, stdout, stderr };
}

describe("the README's service steps", () => {
  it("configure and pass check --online as written, with the credentials only where LoadCredential= reads them", async () => {
    const configure = serviceBlocks().find((block) => block.includes("--credentials-directory"));
    expect(configure, "step 2 of the service section").toBeDefined();
    const run = await runAsWritten(configure ?? "", `${KEY}\n`);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // The first line is the `echo` after the silent `read`.
    expect(run.stdout).toBe(
      `\n${prefix}/etc/authwatch/watchlist.json is valid: 1 session, 2 sinks, 1 API key\n  credential intuned-api-key: accepted\n`,
    );
    const credentials = join(prefix, "etc/authwatch/credentials");
    expect(statSync(credentials).mode & 0o777).toBe(0o700);
    expect(statSync(join(credentials, "intuned-api-key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(credentials, "oncall-webhook-secret"), "utf8")).toMatch(
      /^whsec_[A-Za-z0-9+/]+=*\n$/,
    );
    expect(
      readFileSync(join(prefix, "etc/systemd/system/authwatch.service.d/credentials.conf"), "utf8"),
    ).toBe(
      "[Service]\nLoadCredential=oncall-webhook-secret:/etc/authwatch/credentials/oncall-webhook-secret\n".replace(
        "/etc/",
        `${prefix}/etc/`,
      ),
    );
  });

  it("has history, run from a shell, name the state file the unit uses", async () => {
    const start = serviceBlocks().find((block) => block.includes("authwatch history"));
    const history = (start ?? "").split("\n").find((line) => line.startsWith("authwatch history")) ?? "";
    const run = await runAsWritten(history);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`no state file at ${prefix}/var/lib/authwatch/state.db`);
    // The unit pins the same file.
    expect(readFileSync(join(root, "systemd/authwatch.service"), "utf8")).toContain(
      "Environment=AUTHWATCH_STATE=%S/authwatch/state.db",
    );
  });

  it("install Node 20.19 or later where Debian 12's own is 18, and the tools better-sqlite3 compiles with", () => {
    const [install = ""] = serviceBlocks();
    expect(install).toMatch(/deb\.nodesource\.com\/setup_2[2-9]\.x/);
    expect(install).toMatch(/apt-get install -y [^\n]*\bpython3\b[^\n]*\bmake\b[^\n]*\bg\+\+/);
    const section = readme.slice(readme.indexOf("## Run it as a service"), readme.indexOf("## Reference"));
    expect(section).toContain("Debian 12 ships Node 18");
    expect(section).toContain("Debian 13");
    expect(section).toContain("nvm");
  });
});
