import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { openStore } from "../../src/store/store.js";
import { captureIO } from "../helpers/capture-io.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-status-alerts-3131";

describe("status with alert rules", () => {
  it("shows which rule is overdue since when, and the silence in force, in JSON and under the table", async () => {
    const api = await startFakeIntunedApi({ apiKeys: [KEY] });
    onTestFinished(() => api.close());
    const ref = { workspaceId: WS, projectName: "billing", authSessionId: "login-1" };
    api.setStatus(ref, "PENDING");
    api.setStatus({ ...ref, authSessionId: "login-2" }, "READY");
    const dir = mkdtempSync(join(tmpdir(), "authwatch-status-alerts-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WS },
        sessions: [
          { project: "billing", id: "login-1" },
          { project: "billing", id: "login-2" },
        ],
        alerts: [{ name: "stuck-pending", status: "PENDING", for: "15m", repeat: "1h" }],
      }),
    );
    // What a daemon left behind: PENDING since an hour ago, two overdue alerts, and a silence.
    const since = Date.now() - 3_600_000;
    const store = openStore(join(dir, ".authwatch/state.db"));
    store.recordTransition(ref, { status: "PENDING", sessionType: "CREDENTIALS", since }, null, []);
    store.commit([
      {
        kind: "event",
        event: {
          type: "authsession.overdue",
          timestamp: new Date().toISOString(),
          data: {
            eventId: "overdue-1",
            observedAt: new Date().toISOString(),
            ...ref,
            sessionType: "CREDENTIALS",
            status: "PENDING",
            since: new Date(since).toISOString(),
            heldForMs: 3_600_000,
            rule: "stuck-pending",
            reminder: 1,
            labels: {},
          },
        },
        sessionKey: `${WS}/billing/login-1`,
        deliverTo: [],
        alertProgress: {
          rule: "stuck-pending",
          sessionKey: `${WS}/billing/login-1`,
          progress: { since, reminders: 2, lastAt: Date.now() },
        },
      },
    ]);
    const now = Date.now();
    store.addSilence({
      id: "sil_0000abcd",
      match: { project: "billing" },
      startsAt: now,
      endsAt: now + 3_600_000,
      reason: "rotation",
      createdAt: now,
    });
    store.close();

    const env = { INTUNED_API_KEY: KEY, INTUNED_API_BASE_URL: api.url };
    const io = captureIO(env, dir);
    expect(await runCli(["status", "--json"], io)).toBe(0);
    const { sessions } = JSON.parse(io.stdoutText()) as { sessions: Array<Record<string, unknown>> };
    expect(sessions.find((s) => s.authSessionId === "login-1")).toMatchObject({
      status: "PENDING",
      overdue: [{ rule: "stuck-pending", since: new Date(since + 900_000).toISOString(), reminders: 2 }],
      silenced: { id: "sil_0000abcd", reason: "rotation" },
    });
    expect(sessions.find((s) => s.authSessionId === "login-2")).toMatchObject({
      overdue: [],
      silenced: { id: "sil_0000abcd" },
    });

    const table = captureIO(env, dir);
    expect(await runCli(["status"], table)).toBe(0);
    expect(table.stdoutText()).toContain(
      `  billing/login-1: overdue since ${new Date(since + 900_000).toISOString()} (rule stuck-pending, 2 alerts); silenced by sil_0000abcd`,
    );
  });

  it("matches a label silence against the labels a projects entry gives its discovered sessions", async () => {
    const api = await startFakeIntunedApi({ apiKeys: [KEY] });
    onTestFinished(() => api.close());
    const user = { workspaceId: WS, projectName: "customer-logins", authSessionId: "user-1" };
    api.setStatus(user, "READY");
    const dir = mkdtempSync(join(tmpdir(), "authwatch-status-alerts-"));
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WS },
        projects: [{ project: "customer-logins", labels: { team: "growth" } }],
      }),
    );
    const now = Date.now();
    const store = openStore(join(dir, ".authwatch/state.db"));
    store.addSilence({
      id: "sil_0000beef",
      match: { labels: { team: "growth" } },
      startsAt: now,
      endsAt: now + 3_600_000,
      reason: "rotation",
      createdAt: now,
    });
    store.close();

    const io = captureIO({ INTUNED_API_KEY: KEY, INTUNED_API_BASE_URL: api.url }, dir);
    expect(await runCli(["status", "--project", "customer-logins", "--json"], io)).toBe(0);
    const { sessions } = JSON.parse(io.stdoutText()) as { sessions: Array<Record<string, unknown>> };
    expect(sessions).toEqual([
      expect.objectContaining({
        authSessionId: "user-1",
        silenced: expect.objectContaining({ id: "sil_0000beef" }),
      }),
    ]);
  });
});
