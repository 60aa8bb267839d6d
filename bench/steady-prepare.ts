import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../src/store/store.js";
import type { TransitionRecord } from "../src/store/types.js";
import { transition } from "../src/transition.js";
import { buildBenchWatchlist, PROJECT, sessionId, WORKSPACE_ID } from "./bench-config.js";

export interface SteadyFiles {
  watchlistPath: string;
  statePath: string;
}

export const STEADY_INTERVAL = "1h";
const BATCH = 5_000;

/**
 * What a daemon restarting with N watched sessions finds on disk: a watchlist of N sessions polled
 * hourly, and a state file in which every one of them was already seen READY (its first-observation
 * event in the history). Run in its own process so its garbage never shows in the measured one.
 */
export function prepareSteadyFiles(dir: string, count: number, idPrefix: string): SteadyFiles {
  const statePath = join(dir, "state.db");
  const watchlistPath = join(dir, "watchlist.json");
  const watchlist = buildBenchWatchlist({
    count,
    idPrefix,
    interval: STEADY_INTERVAL,
    jitter: 0.1,
    concurrency: 16,
    maxRequestsPerSecond: 1_000_000,
    statePath,
  });
  writeFileSync(watchlistPath, JSON.stringify(watchlist, null, 2));

  const store = openStore(statePath);
  const observedAt = Date.now();
  for (let start = 0; start < count; start += BATCH) {
    const batch: TransitionRecord[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const ref = { workspaceId: WORKSPACE_ID, projectName: PROJECT, authSessionId: sessionId(idPrefix, i) };
      const outcome = transition(
        null,
        { status: "READY", sessionType: "CREDENTIALS", observedAt },
        { ref, labels: {}, now: observedAt, newEventId: randomUUID },
      );
      batch.push({ ref, state: outcome.state, event: outcome.event, deliverTo: [] });
    }
    store.recordTransitions(batch);
  }
  store.close();
  return { watchlistPath, statePath };
}
