import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadWatchlist } from "../../src/config/load.js";
import { type Daemon, startDaemon } from "../../src/daemon/daemon.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeSession } from "../../src/fake-api/types.js";
import { captureLog } from "../helpers/log-capture.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-harden-5151";
const ref = (authSessionId: string, projectName = "proj") => ({
  workspaceId: WORKSPACE,
  projectName,
  authSessionId,
});

interface Running {
  api: FakeIntunedApi;
  daemon: Daemon;
  events: AuthwatchEvent[];
  log: ReturnType<typeof captureLog>;
  dir: string;
}

/** A daemon on a real state file, polling the fake API over loopback; stopped when the test ends. */
async function start(
  sessions: FakeSession[],
  watchlist: Record<string, unknown> = {},
  listen = false,
): Promise<Running> {
  const api = await startFakeIntunedApi({ apiKeys: [KEY], sessions });
  onTestFinished(() => api.close());
  const dir = mkdtempSync(join(tmpdir(), "authwatch-harden-"));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "150ms", jitter: 0, failureThreshold: 3 },
      sessions: sessions.map((s) => ({
        project: s.projectName,
        id: s.authSessionId,
        workspaceId: s.workspaceId,
      })),
      ...watchlist,
    }),
  );
  const config = loadWatchlist(
    join(dir, "watchlist.json"),
    { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
    { requireSecrets: true },
  );
  const log = captureLog();
  const daemon = await startDaemon({
    config,
    logger: log.logger,
    env: { PATH: process.env.PATH ?? "" },
    ...(listen ? { listen: { host: "127.0.0.1", port: 0 } } : {}),
  });
  onTestFinished(() => daemon.stop(2_000));
  const events: AuthwatchEvent[] = [];
  daemon.bus.on("event", (event) => events.push(event));
  return { api, daemon, events, log, dir };
}

describe("the daemon against answers an attacker or a broken API could give", () => {
  it("announces a 200 body claiming NOT_FOUND as an unknown status, and only a 404 as not_found", async () => {
    const { api, events } = await start([{ ...ref("claims-gone"), timeline: [{ status: "READY" }] }]);
    await expect.poll(() => events.map((e) => e.type)).toEqual(["authsession.ready"]);
    api.injectFault({ kind: "unknownStatus", status: "NOT_FOUND", session: ref("claims-gone") });
    await expect
      .poll(() => events.map((e) => e.type))
      .toEqual(["authsession.ready", "authsession.unknown_status"]);
    api.clearFaults();
    api.removeSession(ref("claims-gone"));
    await expect
      .poll(() => events.map((e) => e.type))
      .toEqual(["authsession.ready", "authsession.unknown_status", "authsession.not_found"]);
  });
});
