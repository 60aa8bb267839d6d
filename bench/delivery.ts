import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiDispatcher } from "../src/api/dispatcher.js";
import { startDaemon } from "../src/daemon/daemon.js";
import {
  API_KEY,
  buildBenchConfig,
  PROJECT,
  pathOfSession,
  WEBHOOK_SECRET,
  WORKSPACE_ID,
} from "./bench-config.js";
import { createBenchLogger } from "./bench-logger.js";
import { startFakeApiProcess } from "./fake-api-process.js";
import { waitFor } from "./measure.js";
import { type ProbedAnswer, probeDispatcher } from "./probe-dispatcher.js";
import { percentile } from "./stats.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

export interface DeliveryOptions {
  /** Sessions flipping PENDING ⇄ READY, their flips spread evenly in time. */
  sessions: number;
  flipMs: number;
  pollIntervalMs: number;
  /** Transitions measured, after `warmUp` unmeasured ones. */
  transitions: number;
  warmUp: number;
  timeoutMs: number;
}

export interface DeliveryResult {
  transitions: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Webhooks whose triggering answer the probe did not see (expected 0). */
  unmatched: number;
  /** Signatures the reference verifier rejected (expected 0). */
  rejected: number;
  pollsPerSec: number;
}

const ID_PREFIX = "flip-";

/**
 * Transition to delivery: a daemon (startDaemon, one signed standard webhook sink) watches sessions
 * whose status flips on a timetable. The probe on the API pool stamps, with performance.now(), the
 * moment the headers of the first answer with a new status arrive for each session; the receiver in
 * this process stamps the moment the webhook announcing that change is fully received. The latency is
 * the difference: client, state machine, durable commit, outbox, signing, POST. First observations
 * and the first `warmUp` changes (JIT, connection set-up) are not counted.
 */
export async function measureDelivery(options: DeliveryOptions): Promise<DeliveryResult> {
  const { sessions, flipMs } = options;
  const api = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: [
      {
        count: sessions,
        workspaceId: WORKSPACE_ID,
        projectName: PROJECT,
        idPrefix: ID_PREFIX,
        timeline: [
          { status: "PENDING", forMs: flipMs },
          { status: "READY", forMs: flipMs },
        ],
        loop: true,
        spreadMs: 2 * flipMs,
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "authwatch-bench-"));
  const lastStatus = new Map<string, string>();
  /** `${path} ${status}` → when the first answer with that new status arrived. */
  const changedAt = new Map<string, number>();
  const onAnswer = (answer: ProbedAnswer) => {
    if (answer.statusCode !== 200 || answer.body === undefined) return;
    const { status } = JSON.parse(answer.body) as { status: string };
    if (lastStatus.get(answer.path) === status) return;
    lastStatus.set(answer.path, status);
    changedAt.set(`${answer.path} ${status}`, answer.arrivedAt);
  };
  const latencies: number[] = [];
  let changes = 0;
  let unmatched = 0;
  const receiver = await startWebhookReceiver(WEBHOOK_SECRET, ({ event, receivedAt }) => {
    if (!("from" in event.data) || event.data.from === null) return;
    changes++;
    const arrivedAt = changedAt.get(`${pathOfSession(api.url, event.data.authSessionId)} ${event.data.to}`);
    if (arrivedAt === undefined) {
      unmatched++;
      return;
    }
    if (changes > options.warmUp) latencies.push(receivedAt - arrivedAt);
  });
  const probe = probeDispatcher(createApiDispatcher({ connections: 16 }), { onAnswer, keepBodies: true });
  const config = buildBenchConfig({
    baseUrl: api.url,
    count: sessions,
    idPrefix: ID_PREFIX,
    interval: options.pollIntervalMs,
    jitter: 0.1,
    concurrency: 16,
    maxRequestsPerSecond: 1_000_000,
    statePath: join(dir, "state.db"),
    webhookUrl: receiver.url,
  });
  const daemon = await startDaemon({ config, logger: createBenchLogger(), apiDispatcher: probe.dispatcher });
  const start = performance.now();
  try {
    await waitFor(() => latencies.length >= options.transitions, options.timeoutMs, "the delivery run");
  } finally {
    await daemon.stop(5_000);
    await probe.close();
    await receiver.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    transitions: latencies.length,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    unmatched,
    rejected: receiver.rejected,
    pollsPerSec: (probe.answered() * 1000) / (performance.now() - start),
  };
}
