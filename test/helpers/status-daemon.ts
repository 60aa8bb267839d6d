import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { loadWatchlist } from "../../src/config/load.js";
import { type Daemon, startDaemon } from "../../src/daemon/daemon.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import { openStore } from "../../src/store/store.js";
import { captureLog } from "./log-capture.js";

export const STATUS_WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
export const STATUS_KEY = "sk-test-SECRET-status-5151";
const KEY = STATUS_KEY;

export interface StatusDaemon {
  api: FakeIntunedApi;
  daemon: Daemon;
  url: string;
  log: ReturnType<typeof captureLog>;
  dir: string;
  ref(project: string, id: string): { workspaceId: string; projectName: string; authSessionId: string };
  /** Event ids in the state file, oldest first, read as `history` would (read-only, beside the daemon). */
  storedEventIds(): string[];
}

export interface StatusDaemonOptions {
  /** project → session id → status the fake API answers. */
  sessions: Array<{ project: string; id: string; status: string; labels?: Record<string, string> }>;
  watchlist?: Record<string, unknown>;
  /** An existing folder: reuse its state file (a restart). */
  dir?: string;
  /** Listen on every interface, as `--listen 0.0.0.0:PORT`, where this token is required; `url` still says 127.0.0.1. */
  httpToken?: string;
}

/** A real daemon listening on 127.0.0.1:0, polling a fake Intuned API every 150 ms; cleaned up by the test. */
export async function startStatusDaemon(options: StatusDaemonOptions): Promise<StatusDaemon> {
  const ref = (projectName: string, authSessionId: string) => ({
    workspaceId: STATUS_WORKSPACE,
    projectName,
    authSessionId,
  });
  const api = await startFakeIntunedApi({ apiKeys: [KEY], requestLogLimit: 0 });
  onTestFinished(() => api.close());
  for (const session of options.sessions) api.setStatus(ref(session.project, session.id), session.status);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "authwatch-status-"));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: STATUS_WORKSPACE, timeout: "2s", concurrency: 16, maxRequestsPerSecond: 100_000 },
      defaults: { interval: "150ms", jitter: 0 },
      state: "state.db",
      sessions: options.sessions.map((s) => ({
        project: s.project,
        id: s.id,
        ...(s.labels ? { labels: s.labels } : {}),
      })),
      ...options.watchlist,
    }),
  );
  const config = loadWatchlist(
    join(dir, "watchlist.json"),
    { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY },
    { requireSecrets: true },
  );
  const log = captureLog("info");
  const daemon = await startDaemon({
    config,
    logger: log.logger,
    listen: { host: options.httpToken ? "0.0.0.0" : "127.0.0.1", port: 0 },
    ...(options.httpToken ? { httpToken: options.httpToken } : {}),
    env: { PATH: process.env.PATH ?? "" },
  });
  onTestFinished(() => daemon.stop(2_000));
  const storedEventIds = () => {
    const store = openStore(join(dir, "state.db"), { readOnly: true });
    try {
      return store.history().map((entry) => entry.eventId);
    } finally {
      store.close();
    }
  };
  const url = (daemon.statusUrl ?? "").replace("//0.0.0.0:", "//127.0.0.1:");
  return { api, daemon, url, log, dir, ref, storedEventIds };
}
