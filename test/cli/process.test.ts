import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../helpers/run-cli-process.js";

describe("the authwatch binary", () => {
  it("prints its version", async () => {
    const result = await runCliProcess(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("shows help for every command", async () => {
    for (const command of ["check", "status", "wait", "watch", "history", "demo"]) {
      const result = await runCliProcess([command, "--help"]);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: authwatch ${command}`);
    }
  });

  it("reports an invalid watchlist as one line per problem with exit 2 and no stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-proc-"));
    writeFileSync(join(dir, "watchlist.json"), '{ "sessions": [ { "project": "p", "id": "ok-id", } ] }');
    const result = await runCliProcess(["check"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^authwatch: .*watchlist\.json.*line 1, column \d+/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 with a usage line for an unknown option", async () => {
    const result = await runCliProcess(["status", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });
});
