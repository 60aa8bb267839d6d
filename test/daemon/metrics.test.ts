import { afterEach, describe, expect, it } from "vitest";
import { createDaemonMetrics, type DaemonMetrics } from "../../src/daemon/metrics.js";
import { parsePrometheusText } from "../helpers/prometheus.js";

describe("daemon metrics", () => {
  const opened: DaemonMetrics[] = [];
  afterEach(() => {
    for (const metrics of opened.splice(0)) metrics.close();
  });

  it("give every durable sink an outbox depth series, 0 while nothing waits for it", async () => {
    let depths: Record<string, number> = {};
    const metrics = createDaemonMetrics({
      outboxDepth: () => depths,
      sinksDisabled: () => ({ hook: false, mail: true }),
    });
    opened.push(metrics);
    const depthOf = async () =>
      Object.fromEntries(
        parsePrometheusText(await metrics.registry.metrics())
          .filter((sample) => sample.name === "authwatch_outbox_depth")
          .map((sample) => [sample.labels.sink, sample.value]),
      );
    expect(await depthOf()).toEqual({ hook: 0, mail: 0 });
    depths = { hook: 3 };
    expect(await depthOf()).toEqual({ hook: 3, mail: 0 });
  });
});
