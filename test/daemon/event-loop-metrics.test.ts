import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { EVENT_LOOP_METRIC_NAMES, registerEventLoopMetrics } from "../../src/daemon/event-loop-metrics.js";
import { createDaemonMetrics, type DaemonMetrics } from "../../src/daemon/metrics.js";
import { parsePrometheusText } from "../helpers/prometheus.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a handler that never yields, as a slow synchronous call would
  }
}

async function scrape(registry: Registry): Promise<Map<string, number[]>> {
  const byName = new Map<string, number[]>();
  for (const sample of parsePrometheusText(await registry.metrics())) {
    byName.set(sample.name, [...(byName.get(sample.name) ?? []), sample.value]);
  }
  return byName;
}

describe("event-loop metrics", () => {
  const opened: { close(): void }[] = [];
  afterEach(() => {
    for (const metrics of opened.splice(0)) metrics.close();
  });

  it("report a blocked turn in the scrape that follows it, and an idle loop as near 0", async () => {
    const registry = new Registry();
    opened.push(registerEventLoopMetrics(registry, 20));
    await sleep(150);
    const idle = await scrape(registry);
    // The timer records only how late it fired: idle, that is scheduling noise, not the 20 ms interval.
    expect(idle.get("nodejs_eventloop_lag_p50_seconds")![0]).toBeLessThan(0.015);

    blockFor(200);
    await sleep(60);
    const blocked = await scrape(registry);
    expect(blocked.get("nodejs_eventloop_lag_max_seconds")![0]).toBeGreaterThan(0.15);
    expect(blocked.get("nodejs_eventloop_lag_max_seconds")![0]).toBeLessThan(1);

    await sleep(150);
    const after = await scrape(registry);
    // The histogram starts afresh after each scrape.
    expect(after.get("nodejs_eventloop_lag_max_seconds")![0]).toBeLessThan(0.1);
  });

  it("keep the previous figures for a scrape that comes before the next sample, never NaN", async () => {
    const registry = new Registry();
    opened.push(registerEventLoopMetrics(registry, 1_000));
    const first = await scrape(registry);
    const second = await scrape(registry);
    for (const name of EVENT_LOOP_METRIC_NAMES) {
      expect(first.get(name), name).toHaveLength(1);
      expect(Number.isFinite(second.get(name)![0]), name).toBe(true);
    }
  });

  it("replace prom-client's family in the daemon's registry: each name once, with no 10 ms sampler", async () => {
    const metrics: DaemonMetrics = createDaemonMetrics({ outboxDepth: () => ({}) });
    opened.push(metrics);
    const samples = await scrape(metrics.registry);
    for (const name of EVENT_LOOP_METRIC_NAMES) expect(samples.get(name), name).toHaveLength(1);
    expect(samples.get("process_cpu_seconds_total")).toHaveLength(1);
    // prom-client's native monitor reads the whole 10 ms interval as lag on an idle loop.
    await sleep(1_100);
    const later = await scrape(metrics.registry);
    expect(later.get("nodejs_eventloop_lag_min_seconds")![0]).toBeLessThan(0.008);
  });
});
