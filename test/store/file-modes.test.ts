import { spawn } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { CLI_PATH } from "../helpers/run-cli-process.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-modes-3131";
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("the state file's permissions", () => {
  it("are owner-only for the folder, the file and its -wal and -shm, even under umask 000", async () => {
    const api = await startFakeIntunedApi({ apiKeys: [KEY] });
    onTestFinished(() => api.close());
    api.setStatus({ workspaceId: WORKSPACE, projectName: "proj", authSessionId: "modes-1" }, "READY");
    const dir = mkdtempSync(join(tmpdir(), "authwatch-modes-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WORKSPACE, timeout: "1s" },
        defaults: { interval: "200ms" },
        sessions: [{ project: "proj", id: "modes-1" }],
        sinks: [{ name: "log", type: "console" }],
        state: "./private/state/state.db",
      }),
    );
    // A shell sets the umask the way a careless service manager or container would.
    const child = spawn(
      "/bin/sh",
      ["-c", `umask 000 && exec "${process.execPath}" "${CLI_PATH}" watch -c watchlist.json`],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    onTestFinished(() => {
      child.kill("SIGKILL");
    });
    // The first event is committed: the file, its WAL and its shared-memory index all exist.
    await expect.poll(() => stdout, { timeout: 15_000 }).toContain("authsession.ready");
    const state = join(dir, "private", "state", "state.db");
    expect({
      parent: mode(join(dir, "private")),
      folder: mode(join(dir, "private", "state")),
      file: mode(state),
      wal: mode(`${state}-wal`),
      shm: mode(`${state}-shm`),
    }).toEqual({ parent: "700", folder: "700", file: "600", wal: "600", shm: "600" });
  });
});
