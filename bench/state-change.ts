import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEventPipeline } from "../src/daemon/event-pipeline.js";
import { createEventBus } from "../src/event-bus.js";
import { newEventId } from "../src/event-id.js";
import { createSilentLogger } from "../src/logger.js";
import { openStore } from "../src/store/store.js";
import { transition } from "../src/transition.js";
import type { SessionRef, SessionState } from "../src/types.js";
import { collectGarbage, sleep } from "./measure.js";

export interface StateChangeOptions {
  count: number;
  /** Changes handed in per turn of the event loop, as answers arrive during a sweep. */
  perTurn: number;
  rounds: number;
}

/**
 * What a state change costs without the HTTP request that reveals it: N first observations through
 * the real transition, event pipeline (filter, group commit into a real SQLite file, fan out on the
 * bus), `perTurn` per turn of the event loop. CPU µs per change, median of `rounds` fresh state files.
 */
export async function measureStateChange(options: StateChangeOptions): Promise<{ cpuUsPerChange: number[] }> {
  const results: number[] = [];
  for (let round = 0; round < options.rounds + 1; round++) {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-change-"));
    const store = openStore(join(dir, "state.db"));
    const bus = createEventBus();
    let stored = 0;
    bus.on("event", () => {
      stored++;
    });
    const pipeline = createEventPipeline({
      store,
      bus,
      logger: createSilentLogger(),
      sinks: { route: () => [], deliverNow: () => undefined },
      wakeDelivery: () => undefined,
    });
    const refs: SessionRef[] = Array.from({ length: options.count }, (_, i) => ({
      workspaceId: "ws-bench",
      projectName: "bench-project",
      authSessionId: `sess-${String((i * 7919) % options.count).padStart(6, "0")}`,
    }));
    const states = new Map<string, SessionState>();
    collectGarbage();
    const cpu = process.cpuUsage();
    for (let i = 0; i < refs.length; i += options.perTurn) {
      for (const ref of refs.slice(i, i + options.perTurn)) {
        const now = Date.now();
        const key = `${ref.workspaceId}/${ref.projectName}/${ref.authSessionId}`;
        const outcome = transition(
          states.get(key) ?? null,
          { status: "READY", sessionType: "MANUAL", observedAt: now },
          { ref, labels: {}, now, newEventId },
        );
        states.set(key, outcome.state);
        pipeline.recordTransition(ref, outcome.state, outcome.event);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await pipeline.flush();
    const used = process.cpuUsage(cpu);
    if (stored !== options.count) throw new Error(`stored ${stored} of ${options.count}`);
    if (round > 0) results.push((used.user + used.system) / options.count);
    pipeline.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
    await sleep(100);
  }
  return { cpuUsPerChange: results };
}

if (process.argv[1]?.endsWith("state-change.js")) {
  const result = await measureStateChange({ count: 20_000, perTurn: 16, rounds: 5 });
  const sorted = [...result.cpuUsPerChange].sort((a, b) => a - b);
  console.log(
    `state change: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} µs CPU (rounds ${result.cpuUsPerChange.map((x) => x.toFixed(1)).join(" ")})`,
  );
}
