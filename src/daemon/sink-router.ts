import type { Clock } from "../clock.js";
import type { SinkConfig } from "../config/types.js";
import type { Logger } from "../logger.js";
import { createSink } from "../sinks/create-sink.js";
import { sinkWants } from "../sinks/filter.js";
import { sinkFingerprint } from "../sinks/fingerprint.js";
import type { Sink } from "../sinks/sink.js";
import type { EventSinks } from "./event-pipeline.js";

export interface RoutedSink {
  sink: Sink;
  fingerprint: string;
}

/** The configured sinks: built from the watchlist, rebuilt on reload, and asked where an event goes. */
export interface SinkRouter extends EventSinks {
  durableSinks(): Map<string, RoutedSink>;
  update(configs: readonly SinkConfig[], env: NodeJS.ProcessEnv): void;
  close(): Promise<void>;
}

export function createSinkRouter(deps: {
  sinks: readonly SinkConfig[];
  /** Sinks disabled by a 410 (name → refused fingerprint), kept current by the delivery worker. */
  disabledSinks: ReadonlyMap<string, string>;
  logger: Logger;
  clock: Clock;
  /** What command sinks inherit (secrets removed: see scrub-env.ts). */
  env: NodeJS.ProcessEnv;
}): SinkRouter {
  const { logger } = deps;
  let sinks = new Map<string, RoutedSink>();
  let env = deps.env;

  const build = (configs: readonly SinkConfig[], previous: Map<string, RoutedSink>) => {
    const next = new Map<string, RoutedSink>();
    for (const config of configs) {
      const fingerprint = sinkFingerprint(config);
      const old = previous.get(config.name);
      // Keep a sink whose delivery config did not change: its connections and in-flight work stay.
      if (
        old &&
        old.fingerprint === fingerprint &&
        JSON.stringify(old.sink.config) === JSON.stringify(config)
      ) {
        next.set(config.name, old);
      } else {
        next.set(config.name, { sink: createSink(config, { logger, clock: deps.clock, env }), fingerprint });
      }
    }
    return next;
  };
  sinks = build(deps.sinks, sinks);

  return {
    route(event) {
      const names: string[] = [];
      for (const [name, { sink, fingerprint }] of sinks) {
        if (!sink.durable || !sinkWants(sink.config, event)) continue;
        if (deps.disabledSinks.get(name) === fingerprint) continue;
        names.push(name);
      }
      return names;
    },
    deliverNow(event) {
      for (const { sink } of sinks.values()) {
        if (sink.durable || !sinkWants(sink.config, event)) continue;
        // A console sink cannot really fail, but one that did must not stop the others.
        sink.deliver(event, { signal: AbortSignal.timeout(10_000), attempt: 1 }).catch((error: unknown) => {
          logger.error({ err: error, sink: sink.config.name }, "sink failed");
        });
      }
    },
    durableSinks() {
      return new Map([...sinks].filter(([, routed]) => routed.sink.durable));
    },
    update(configs, nextEnv) {
      env = nextEnv;
      const previous = sinks;
      sinks = build(configs, previous);
      for (const [name, routed] of previous) {
        if (sinks.get(name) !== routed) void routed.sink.close?.();
      }
    },
    async close() {
      await Promise.all([...sinks.values()].map((routed) => routed.sink.close?.()));
    },
  };
}
