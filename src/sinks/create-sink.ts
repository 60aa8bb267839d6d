import type { SinkConfig } from "./kinds.js";
import { kindOf } from "./kinds.js";
import type { Sink } from "./sink.js";
import type { SinkDeps } from "./sink-kind.js";

export type { SinkDeps } from "./sink-kind.js";

/** The sink for a resolved config entry, built by its kind (src/sinks/*-kind.ts). */
export function createSink(config: SinkConfig, deps: SinkDeps): Sink {
  return kindOf(config).create(config, deps);
}
