import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { openStore } from "../../src/store/store.js";
import { captureIO } from "../helpers/capture-io.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";

describe("check explains alerts", () => {
  it("says each rule and window in words, and warns about rules, windows and silences that match nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-check-alerts-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WS },
        sessions: [{ project: "billing", id: "login-1", labels: { team: "growth" } }],
        alerts: [
          { name: "stuck-pending", status: "PENDING", for: "15m", repeat: "1h" },
          { name: "typo", status: "EXPIRED", for: "1h", match: { labels: { team: "grwoth" } } },
        ],
        maintenance: [
          {
            name: "sunday",
            schedule: "0 2 * * 0",
            duration: "2h",
            timezone: "Europe/Berlin",
            match: { project: "billing" },
          },
          { name: "nothing", schedule: "0 3 * * *", duration: "1h", match: { project: "shop" } },
        ],
      }),
    );
    const store = openStore(join(dir, "state.db"));
    const now = Date.now();
    store.addSilence({
      id: "sil_00000001",
      match: { project: "shoop" },
      startsAt: now,
      endsAt: now + 60_000,
      reason: "r",
      createdAt: now,
    });
    store.addSilence({
      id: "sil_00000002",
      match: { project: "billing" },
      startsAt: now,
      endsAt: now + 60_000,
      reason: "r",
      createdAt: now,
    });
    store.close();

    const io = captureIO({ INTUNED_API_KEY: "k", AUTHWATCH_STATE: join(dir, "state.db") }, dir);
    expect(await runCli(["check"], io)).toBe(0);
    expect(io.stdoutText()).toContain(
      "  rule stuck-pending: alerts when a session has been PENDING for 15 minutes, then every hour\n",
    );
    expect(io.stdoutText()).toContain(
      '  window sunday: silences every session of project billing for 2 hours from each "0 2 * * 0" (Europe/Berlin); next opens ',
    );
    expect(io.stderrText().trim().split("\n")).toEqual([
      "authwatch: warning: alerts[1] (typo) matches no watched session",
      "authwatch: warning: maintenance[1] (nothing) matches no watched session",
      "authwatch: warning: silence sil_00000001 (r) matches no watched session",
    ]);
  });
});
