import { z } from "zod";
import { sinkBase } from "../config/schema-parts.js";
import type { SinkConfigBase } from "../config/types.js";
import { createConsoleSink } from "./console-sink.js";
import type { SinkKind } from "./sink-kind.js";

const schema = z.strictObject({ type: z.literal("console"), ...sinkBase });

export interface ConsoleSinkConfig extends SinkConfigBase {
  type: "console";
}

/** One pino line per event on stdout: nothing to resolve, nothing secret. */
export const consoleKind = {
  schema,
  resolve: (_raw, base) => ({ ...base, type: "console" }),
  fingerprint: () => ["console"],
  secrets: () => [],
  create: (config, deps) => createConsoleSink(config, { logger: deps.logger }),
} satisfies SinkKind<z.infer<typeof schema>, ConsoleSinkConfig>;
