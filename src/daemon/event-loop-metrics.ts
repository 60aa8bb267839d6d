import { createHistogram, performance } from "node:perf_hooks";
import { Gauge, type Registry } from "prom-client";

/**
 * prom-client's event-loop family (`nodejs_eventloop_lag_*`), under the same names so that the usual
 * Node.js dashboards keep working, measured differently:
 *
 * - prom-client samples with a native timer every 10 ms: 100 wake-ups a second, which made an idle
 *   daemon with nothing due cost 50 times its CPU (docs/benchmarks.md). A slower native timer is no
 *   fix: its histogram records the whole interval, so at 1 s every "lag" reads 1 s, and a scrape that
 *   finds it empty is exposed as NaN.
 * - Here a plain timer fires every `sampleMs` and records only how late it fired, so an idle loop reads
 *   0, and a scrape that comes before the next sample keeps the previous figures.
 */
export const EVENT_LOOP_METRIC_NAMES = [
  "nodejs_eventloop_lag_seconds",
  "nodejs_eventloop_lag_min_seconds",
  "nodejs_eventloop_lag_max_seconds",
  "nodejs_eventloop_lag_mean_seconds",
  "nodejs_eventloop_lag_stddev_seconds",
  "nodejs_eventloop_lag_p50_seconds",
  "nodejs_eventloop_lag_p90_seconds",
  "nodejs_eventloop_lag_p99_seconds",
] as const;

/**
 * One wake-up a second. A turn blocked for a second or more is always seen; a shorter block of B ms is
 * caught by one sample in 1000/B (and then measured exactly), so the percentiles hold over a few scrapes.
 * Measured with 100,000 idle sessions: 15 ms CPU a minute without sampling, 64 at 250 ms, 199 at 10 ms.
 */
export const EVENT_LOOP_SAMPLE_MS = 1_000;

export interface EventLoopMetrics {
  /** Stops the sampling timer (it is unref'd, so it never holds the process open by itself). */
  close(): void;
}

export function registerEventLoopMetrics(
  registry: Registry,
  sampleMs = EVENT_LOOP_SAMPLE_MS,
): EventLoopMetrics {
  const delays = createHistogram();
  let expected = performance.now() + sampleMs;
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    const now = performance.now();
    // The histogram holds integers ≥ 1: nanoseconds, 1 ns standing for "on time".
    delays.record(Math.max(1, Math.round((now - expected) * 1e6)));
    expected = now + sampleMs;
    timer = setTimeout(sample, sampleMs).unref();
  };
  timer = setTimeout(sample, sampleMs).unref();

  // Registered first, and the sampled figures set before its first await: prom-client reads every
  // family of a scrape at once, and the others must see this scrape's figures, not the previous ones.
  new Gauge({
    name: EVENT_LOOP_METRIC_NAMES[0],
    help: "Lag of event loop in seconds: how long a callback queued at scrape time waited to run.",
    registers: [registry],
    async collect() {
      if (delays.count > 0) {
        min.set(seconds(delays.min));
        max.set(seconds(delays.max));
        mean.set(seconds(delays.mean));
        stddev.set(delays.stddev / 1e9);
        p50.set(seconds(delays.percentile(50)));
        p90.set(seconds(delays.percentile(90)));
        p99.set(seconds(delays.percentile(99)));
        delays.reset();
      }
      const queued = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      this.set((performance.now() - queued) / 1000);
    },
  });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const [, minName, maxName, meanName, stddevName, p50Name, p90Name, p99Name] = EVENT_LOOP_METRIC_NAMES;
  const min = gauge(minName, "The minimum event-loop delay sampled since the previous scrape.");
  const max = gauge(maxName, "The maximum event-loop delay sampled since the previous scrape.");
  const mean = gauge(meanName, "The mean event-loop delay sampled since the previous scrape.");
  const stddev = gauge(
    stddevName,
    "The standard deviation of the event-loop delays since the previous scrape.",
  );
  const p50 = gauge(p50Name, "The median event-loop delay sampled since the previous scrape.");
  const p90 = gauge(p90Name, "The 90th percentile of the event-loop delays since the previous scrape.");
  const p99 = gauge(p99Name, "The 99th percentile of the event-loop delays since the previous scrape.");
  const seconds = (ns: number) => (ns <= 1 ? 0 : ns / 1e9);

  return {
    close() {
      clearTimeout(timer);
    },
  };
}
