import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Awaitable } from "../store/state-store.js";
import { VERSION } from "../version.js";
import { EVENT_LOOP_METRIC_NAMES, registerEventLoopMetrics } from "./event-loop-metrics.js";

/**
 * What /metrics reads at scrape time, so polls that change nothing cost no metric updates per session.
 * The per-session families are not in the registry: src/http/session-metrics.ts streams them in chunks.
 */
export interface MetricsSources {
  outboxDepth(): Awaitable<Record<string, number>>;
  /** Key sources paused now (Retry-After, 401): never the key itself. */
  pausedKeySources?(): string[];
  /** Every key source the daemon polls with, so a lifted pause reads 0 rather than vanishing. */
  keySources?(): string[];
  /** Each durable sink: whether its receiver disabled it (HTTP 410). */
  sinksDisabled?(): Record<string, boolean>;
}

export interface DaemonMetrics {
  registry: Registry;
  pollFinished(result: string, seconds: number): void;
  transition(to: string): void;
  deliveryResult(sink: string, result: string, durationMs?: number): void;
  schedulerLate(ms: number): void;
  /** One request to the Intuned API: `kind` get or list, `result` ok, not_found or an error code in lower case. */
  apiRequest(kind: "get" | "list", result: string): void;
  /** Stops the event-loop sampler; the registry can still be read. */
  close(): void;
}

/** The longest timer Node.js accepts (about 24.8 days). */
const NEVER_MS = 2 ** 31 - 1;

/** Prometheus metrics of the daemon (names documented in the README). */
export function createDaemonMetrics(sources: MetricsSources): DaemonMetrics {
  const registry = new Registry();
  // Process and Node.js metrics (CPU, memory, event-loop lag, handles) that operators' dashboards expect.
  // prom-client's own event-loop family wakes the process 100 times a second; it is replaced by ours
  // (event-loop-metrics.ts). Its native monitor cannot be left out, only slowed to never firing.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: NEVER_MS });
  for (const name of EVENT_LOOP_METRIC_NAMES) registry.removeSingleMetric(name);
  const eventLoop = registerEventLoopMetrics(registry);
  new Gauge({
    name: "authwatch_build_info",
    help: "Always 1; the labels say which authwatch and Node.js are running.",
    labelNames: ["version", "node"],
    registers: [registry],
  }).set({ version: VERSION, node: process.version }, 1);
  const polls = new Counter({
    name: "authwatch_polls_total",
    help: "Polls of getAuthSession by result (ok, not_found, or an error code in lower case).",
    labelNames: ["result"],
    registers: [registry],
  });
  const pollDuration = new Histogram({
    name: "authwatch_poll_duration_seconds",
    help: "Time from sending a poll to its answer or failure.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const transitions = new Counter({
    name: "authwatch_transitions_total",
    help: "State changes (events) by the state entered.",
    labelNames: ["to"],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "authwatch_deliveries_total",
    help: "Delivery attempts by sink and result (delivered, retry, dead, disabled).",
    labelNames: ["sink", "result"],
    registers: [registry],
  });
  const lateness = new Histogram({
    name: "authwatch_poll_lateness_seconds",
    help: "How late polls started after their due time.",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: "authwatch_outbox_depth",
    help: "Deliveries waiting in the outbox, by sink.",
    labelNames: ["sink"],
    registers: [registry],
    async collect() {
      const depths = await sources.outboxDepth();
      this.reset();
      // Every durable sink has a series, 0 when nothing waits: an empty outbox must not look like no data.
      for (const sink of Object.keys(sources.sinksDisabled?.() ?? {})) this.set({ sink }, 0);
      for (const [sink, depth] of Object.entries(depths)) this.set({ sink }, depth);
    },
  });

  new Gauge({
    name: "authwatch_api_key_paused",
    help: "1 while the API key of this source is paused (Retry-After or refused), else 0.",
    labelNames: ["key_source"],
    registers: [registry],
    collect() {
      const paused = new Set(sources.pausedKeySources?.() ?? []);
      this.reset();
      for (const source of new Set([...(sources.keySources?.() ?? []), ...paused]))
        this.set({ key_source: source }, paused.has(source) ? 1 : 0);
    },
  });
  new Gauge({
    name: "authwatch_sink_disabled",
    help: "1 when the receiver disabled this sink (HTTP 410) and nothing is delivered to it, else 0.",
    labelNames: ["sink"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [sink, disabled] of Object.entries(sources.sinksDisabled?.() ?? {}))
        this.set({ sink }, disabled ? 1 : 0);
    },
  });

  const apiRequests = new Counter({
    name: "authwatch_api_requests_total",
    help: "Requests to the Intuned API by kind (get: one session, list: a project) and result.",
    labelNames: ["kind", "result"],
    registers: [registry],
  });
  const apiRequestsBy = new Map<string, { inc(): void }>();

  const pollsByResult = new Map<string, { inc(): void }>();
  const transitionsTo = new Map<string, { inc(): void }>();
  return {
    registry,
    pollFinished(result, seconds) {
      // A bound child per result: inc({ result }) hashes the label object on every poll.
      let child = pollsByResult.get(result);
      if (!child) {
        child = polls.labels(result);
        pollsByResult.set(result, child);
      }
      child.inc();
      pollDuration.observe(seconds);
    },
    transition(to) {
      let child = transitionsTo.get(to);
      if (!child) {
        child = transitions.labels(to);
        transitionsTo.set(to, child);
      }
      child.inc();
    },
    deliveryResult(sink, result) {
      deliveries.inc({ sink, result });
    },
    apiRequest(kind, result) {
      const id = `${kind} ${result}`;
      let child = apiRequestsBy.get(id);
      if (!child) {
        child = apiRequests.labels(kind, result);
        apiRequestsBy.set(id, child);
      }
      child.inc();
    },
    schedulerLate(ms) {
      lateness.observe(ms / 1000);
    },
    close() {
      eventLoop.close();
    },
  };
}
