import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";

const ENV_FILE = readFileSync(fileURLToPath(new URL("../../systemd/authwatch.env", import.meta.url)), "utf8");
const WATCHLIST_WS = "123e4567-e89b-12d3-a456-426614174000";
const ENV_WS = "9b2f3c4d-1111-4222-8333-444455556666";

/** The comment block just above a commented-out `NAME=` line. */
function commentAbove(name: string): string {
  const lines = ENV_FILE.split("\n");
  const at = lines.findIndex((line) => line.startsWith(`#${name}=`));
  const block: string[] = [];
  for (let i = at - 1; i >= 0 && lines[i]?.startsWith("# "); i--) block.unshift((lines[i] ?? "").slice(2));
  return block.join(" ");
}

describe("systemd/authwatch.env", () => {
  it("says INTUNED_WORKSPACE_ID overrides api.workspaceId, which is what resolution does", () => {
    expect(commentAbove("INTUNED_WORKSPACE_ID")).toMatch(/override the watchlist's\s+api\.workspaceId/);
    const config = resolveConfig(
      { api: { workspaceId: WATCHLIST_WS } },
      { env: { INTUNED_WORKSPACE_ID: ENV_WS, INTUNED_API_KEY: "k" }, requireSecrets: true },
    );
    expect(config.workspaceId).toBe(ENV_WS);
  });

  it("names the state file the unit pins, for commands run from a shell", () => {
    const unit = readFileSync(
      fileURLToPath(new URL("../../systemd/authwatch.service", import.meta.url)),
      "utf8",
    );
    expect(unit).toContain("Environment=AUTHWATCH_STATE=%S/authwatch/state.db");
    expect(ENV_FILE).toContain("--state /var/lib/authwatch/state.db");
  });
});
