import { describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { resolveConfig } from "../../src/config/resolve.js";
import type { ResolvedConfig } from "../../src/config/types.js";
import { planReload } from "../../src/daemon/reload-plan.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";

function config(watchlist: Record<string, unknown>, env: Record<string, string> = {}): ResolvedConfig {
  const parsed = parseWatchlist({
    api: { workspaceId: WORKSPACE },
    ...watchlist,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return resolveConfig(parsed.value, {
    env: { INTUNED_API_KEY: "sk-one", ...env },
    requireSecrets: true,
    cwd: "/tmp",
  });
}

const sessions = (...ids: string[]) => ids.map((id) => ({ project: "p", id }));

describe("reload planning", () => {
  it("plans nothing for the same watchlist", () => {
    const current = config({ sessions: sessions("s-a", "s-b") });
    const plan = planReload(current, config({ sessions: sessions("s-a", "s-b") }));
    expect(plan).toMatchObject({ remove: [], schedule: [], resumeKeys: [], newClients: false });
    expect(plan.summary).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 2, needsRestart: [] });
  });

  it("removes sessions no longer listed and schedules new ones and those polled differently", () => {
    const current = config({ sessions: sessions("s-a", "s-b", "s-c") });
    const next = config({
      sessions: [
        { project: "p", id: "s-a" },
        { project: "p", id: "s-b", interval: "5m" },
        { project: "p", id: "s-d" },
      ],
    });
    const plan = planReload(current, next);
    expect(plan.remove).toEqual([current.sessions[2]!.key]);
    expect(plan.schedule.map((session) => session.authSessionId)).toEqual(["s-b", "s-d"]);
    expect(plan.summary).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 1, needsRestart: [] });
  });

  it("resumes a key source whose key was rotated, and names settings that need a restart", () => {
    const current = config({ sessions: sessions("s-a") });
    const next = config(
      { api: { workspaceId: WORKSPACE, concurrency: 3, timeout: "3s" }, sessions: sessions("s-a") },
      { INTUNED_API_KEY: "sk-two" },
    );
    const plan = planReload(current, next);
    expect(plan.resumeKeys).toEqual([current.sessions[0]!.apiKey!.source]);
    expect(plan.newClients).toBe(true);
    expect(plan.summary.needsRestart).toEqual(["api.concurrency"]);
    // The key is part of how a session is polled: it is scheduled again with the new one.
    expect(plan.schedule).toHaveLength(1);
  });

  it("says whether a console sink prints every event", () => {
    const current = config({ sessions: sessions("s-a") });
    expect(planReload(current, current).consoleSink).toBe(false);
    const next = config({ sessions: sessions("s-a"), sinks: [{ name: "log", type: "console" }] });
    expect(planReload(current, next).consoleSink).toBe(true);
  });
});
