import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newEventId } from "../src/event-id.js";
import type { StoreChange } from "../src/store/state-store.js";
import { openStore } from "../src/store/store.js";
import { transition } from "../src/transition.js";
import type { SessionRef } from "../src/types.js";

const wchar = () => Number(/wchar: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))![1]);

/** CPU and bytes written per first observation committed through the real SQLite store, batch by batch. */
export function measureStoreCommit(count: number, batch: number, shuffle: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-commit-"));
  const store = openStore(join(dir, "state.db"));
  const refs: SessionRef[] = Array.from({ length: count }, (_, i) => ({
    workspaceId: "ws-bench",
    projectName: "bench-project",
    authSessionId: `sess-${String(i).padStart(6, "0")}`,
  }));
  if (shuffle) refs.sort(() => Math.random() - 0.5);
  const now = Date.now();
  const changes: StoreChange[] = refs.map((ref) => {
    const { state, event } = transition(
      null,
      { status: "READY", sessionType: "MANUAL", observedAt: now },
      { ref, labels: {}, now, newEventId: () => newEventId(now) },
    );
    return { kind: "transition", ref, state, event, deliverTo: [] };
  });
  const cpu = process.cpuUsage();
  const written = wchar();
  for (let i = 0; i < changes.length; i += batch) store.commit(changes.slice(i, i + batch));
  const used = process.cpuUsage(cpu);
  const bytes = wchar() - written;
  const walBytes = statSync(join(dir, "state.db-wal")).size;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    userUs: used.user / count,
    systemUs: used.system / count,
    bytesWritten: bytes / count,
    walBytes,
  };
}

/** `node dist-bench/bench/store-commit.js`: what a commit costs by batch size and by key order. */
if (process.argv[1]?.endsWith("store-commit.js")) {
  for (const [batch, shuffle] of [
    [50, true],
    [300, true],
    [300, false],
    [1000, true],
    [2000, true],
  ] as const) {
    const r = measureStoreCommit(20_000, batch, shuffle);
    console.log(
      `batch ${batch}, ${shuffle ? "random order" : "key order"}: user ${r.userUs.toFixed(1)} µs, sys ${r.systemUs.toFixed(1)} µs, ` +
        `written ${(r.bytesWritten / 1024).toFixed(1)} KB per change; WAL ${(r.walBytes / 2 ** 20).toFixed(1)} MB`,
    );
  }
}
