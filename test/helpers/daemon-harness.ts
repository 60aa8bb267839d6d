import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { loadWatchlist } from "../../src/config/load.js";
import type { ResolvedConfig } from "../../src/config/types.js";
import { type Daemon, startDaemon } from "../../src/daemon/daemon.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { FakeIntunedApi, FakeSession } from "../../src/fake-api/types.js";
import { openStore } from "../../src/store/store.js";
import type { HistoryEntry } from "../../src/store/types.js";
import { captureLog } from "./log-capture.js";

export const TEST_WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
export const TEST_KEY = "sk-test-SECRET-daemon-4242";

export interface DaemonHarnessOptions {
  sessions: FakeSession[];
  /** Merged over a watchlist that watches `sessions` every 150 ms with no jitter. */
  watchlist?: Record<string, unknown>;
  /** Variables beside INTUNED_API_BASE_URL and INTUNED_API_KEY (sink secrets). */
  env?: Record<string, string>;
  /** Reuse this fake API (a restart) instead of starting one; it is then not closed here. */
  api?: FakeIntunedApi;
  /** Reuse this folder (a restart: same watchlist and state file). */
  dir?: string;
  /** Serve the HTTP endpoints on 127.0.0.1 (any free port); `daemon.statusUrl` says where. */
  listen?: boolean;
}

export interface DaemonHarness {
  api: FakeIntunedApi;
  daemon: Daemon;
  /** Every event, as the bus heard it (after it was stored). */
  events: AuthwatchEvent[];
  log: ReturnType<typeof captureLog>;
  dir: string;
  config: ResolvedConfig;
  /** The watchlist again, with other variables (a rotated key), as a reload would read it. */
  loadConfig(env?: Record<string, string>): ResolvedConfig;
  /** The stored history, read through a second, read-only connection. */
  history(): HistoryEntry[];
  /** Stops the daemon now (a restart); the test's end does not stop it twice. */
  stop(): Promise<void>;
}

/**
 * A real daemon (startDaemon) against a fake Intuned API on 127.0.0.1, with its watchlist and state
 * file in a temp folder. Everything it starts is stopped and removed when the test ends.
 */
export async function startDaemonHarness(options: DaemonHarnessOptions): Promise<DaemonHarness> {
  // One cleanup, undoing in reverse: the daemon stops before its API and its folder go.
  const undo: Array<() => unknown> = [];
  onTestFinished(async () => {
    for (const step of undo.reverse()) await step();
  });
  const api = options.api ?? (await startFakeIntunedApi({ apiKeys: [TEST_KEY], sessions: options.sessions }));
  if (!options.api) undo.push(() => api.close());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "authwatch-daemon-"));
  if (!options.dir) undo.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "watchlist.json");
  if (!options.dir) {
    writeFileSync(
      path,
      JSON.stringify({
        api: { workspaceId: TEST_WORKSPACE, timeout: "1s" },
        defaults: { interval: "150ms", jitter: 0, failureThreshold: 3 },
        sessions: options.sessions.map((s) => ({ project: s.projectName, id: s.authSessionId })),
        ...options.watchlist,
      }),
    );
  }
  const env = { INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: TEST_KEY, ...options.env };
  const loadConfig = (overrides: Record<string, string> = {}) =>
    loadWatchlist(path, { ...env, ...overrides }, { requireSecrets: true });
  const config = loadConfig();
  const log = captureLog();
  const daemon = await startDaemon({
    config,
    logger: log.logger,
    env: { PATH: process.env.PATH ?? "", ...env },
    ...(options.listen ? { listen: { host: "127.0.0.1", port: 0 } } : {}),
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= daemon.stop(2_000);
    return stopped;
  };
  undo.push(stop);
  const events: AuthwatchEvent[] = [];
  daemon.bus.on("event", (event) => events.push(event));
  return {
    api,
    daemon,
    events,
    log,
    dir,
    config,
    loadConfig,
    history() {
      const store = openStore(config.statePath, { readOnly: true });
      try {
        return store.history();
      } finally {
        store.close();
      }
    },
    stop,
  };
}

/** `alpha:READY->EXPIRED` for transitions, the type for any other event. */
export const describeEvents = (events: readonly AuthwatchEvent[]) =>
  events.map((e) => ("to" in e.data ? `${e.data.authSessionId}:${e.data.from}->${e.data.to}` : e.type));
