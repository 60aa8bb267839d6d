import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { openStore } from "../../src/store/store.js";
import { captureIO } from "../helpers/capture-io.js";

async function cli(argv: string[], dir: string) {
  const io = captureIO({ AUTHWATCH_STATE: join(dir, "state.db") }, dir);
  const code = await runCli(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe("authwatch silence", () => {
  it("adds a silence to the state file while no daemon runs, lists it, and removes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-silence-"));
    const added = await cli(
      ["silence", "add", "billing/login-1", "--label", "team=growth", "--for", "2h", "--reason", "rotation"],
      dir,
    );
    expect(added).toMatchObject({ code: 0, stderr: "" });
    const id = added.stdout.trim();
    expect(id).toMatch(/^sil_[0-9a-f]{8}$/);

    const listed = await cli(["silence", "list", "--json"], dir);
    const { silences } = JSON.parse(listed.stdout) as { silences: Array<Record<string, unknown>> };
    expect(silences).toEqual([
      expect.objectContaining({
        id,
        match: {
          sessions: [{ projectName: "billing", authSessionId: "login-1" }],
          labels: { team: "growth" },
        },
        reason: "rotation",
      }),
    ]);
    const [silence] = silences;
    expect(Date.parse(String(silence?.endsAt)) - Date.parse(String(silence?.startsAt))).toBe(7_200_000);
    expect((await cli(["silence", "list"], dir)).stdout).toContain(
      "named billing/login-1 labelled team=growth",
    );

    expect(await cli(["silence", "remove", id], dir)).toMatchObject({ code: 0 });
    expect((await cli(["silence", "list"], dir)).stdout).toBe("No silences in force.\n");
    const again = await cli(["silence", "remove", id], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no silence "${id}" is in force`);
    const store = openStore(join(dir, "state.db"), { readOnly: true });
    expect(store.currentSilences(Date.now())).toEqual([]);
    store.close();
  });

  it("refuses a silence that would never end, names nothing, or gives no reason, with one line each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-silence-"));
    const cases: Array<[string[], string]> = [
      [["--project", "billing", "--for", "31d", "--reason", "r"], "every silence ends"],
      [["--project", "billing", "--reason", "r"], "--for is required"],
      [["--project", "billing", "--for", "7200", "--reason", "r"], '--for "7200" needs a unit: "7200s"'],
      [["--for", "1h", "--reason", "r"], "say what to silence"],
      [["--project", "billing", "--for", "1h"], "--reason is required"],
      [["--label", "team", "--for", "1h", "--reason", "r"], "must be KEY=VALUE"],
      [["billing", "--for", "1h", "--reason", "r"], 'has no "/"'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(["silence", "add", ...args], dir);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect((await cli(["silence", "list"], dir)).stdout).toBe("No silences in force.\n");
  });
});
