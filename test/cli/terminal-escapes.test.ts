import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { runCliProcess } from "../helpers/run-cli-process.js";
import { startWatchProcess } from "../helpers/watch-process.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-escapes-7171";
/** Clears the screen, retitles the terminal, then forges a row of the table. */
const HOSTILE = "\u001b[2J\u001b]0;PWNED\u0007\nFAKE row  READY";

/** Output a terminal would act on: any control character but the newlines between lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const actsOnTerminal = (text: string) => /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(text);

describe("strings from the API on a terminal", () => {
  it("are shown escaped by status, wait and history: no escape sequence, no forged row", async () => {
    const api = await startFakeIntunedApi({ apiKeys: [KEY] });
    onTestFinished(() => api.close());
    const session = { workspaceId: WORKSPACE, projectName: "proj", authSessionId: "hostile-1" };
    api.setStatus(session, "READY");
    api.injectFault({ kind: "unknownStatus", status: HOSTILE, session });
    const dir = mkdtempSync(join(tmpdir(), "authwatch-escapes-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WORKSPACE, timeout: "1s" },
        defaults: { interval: "200ms" },
        sessions: [{ project: "proj", id: "hostile-1" }],
        sinks: [{ name: "log", type: "console" }],
      }),
    );
    const env = { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY };
    const watchlist = join(dir, "watchlist.json");

    const watch = startWatchProcess(["-c", watchlist], env, dir);
    onTestFinished(() => {
      watch.child.kill("SIGKILL");
    });
    await watch.waitForLine(
      (line) => (line.event as { type?: string } | undefined)?.type === "authsession.unknown_status",
    );
    watch.child.kill("SIGTERM");
    await watch.exited;

    const outputs = await Promise.all([
      runCliProcess(["status", "-c", watchlist], { env, cwd: dir }),
      runCliProcess(["wait", "proj/hostile-1", "-c", watchlist, "--timeout", "1500ms"], { env, cwd: dir }),
      runCliProcess(["history", "-c", watchlist], { env, cwd: dir }),
    ]);
    for (const { stdout, stderr } of outputs) {
      const text = stdout + stderr;
      expect(actsOnTerminal(text), text).toBe(false);
      expect(
        text.split("\n").some((line) => line.startsWith("FAKE row")),
        text,
      ).toBe(false);
    }
    // Shown, not hidden: a person can still see what the API said.
    expect(outputs[0]?.stdout).toContain("\\e[2J\\e]0;PWNED\\u{7}\\nFAKE row");
    expect(outputs[2]?.stdout).toContain("PWNED");
  }, 60_000);
});
