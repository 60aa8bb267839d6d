import { resolve as resolvePath } from "node:path";
import { z } from "zod";
import { sinkBase, waitDuration } from "../config/schema-parts.js";
import type { SinkConfigBase } from "../config/types.js";
import { createCommandSink } from "./command-sink.js";
import type { SinkKind } from "./sink-kind.js";

export const COMMAND_TIMEOUT_MS = 30_000;

const schema = z.strictObject({
  type: z.literal("command"),
  ...sinkBase,
  command: z
    .array(z.string().min(1, { error: "must be a non-empty string" }), {
      error: 'must be an array of strings: the program and its arguments, like ["/usr/local/bin/reauth.sh"]',
    })
    .min(1, { error: "must name at least the program to run" })
    .meta({ description: "Program and arguments (no shell); the event JSON arrives on stdin." }),
  timeout: waitDuration.optional().meta({ description: "Per run. Default 30s." }),
});

export interface CommandSinkConfig extends SinkConfigBase {
  type: "command";
  /** argv[0] resolved against the watchlist folder when relative. */
  command: string[];
  timeoutMs: number;
}

/** Runs a program (no shell) with the event on stdin; see command-sink.ts. */
export const commandKind = {
  schema,
  resolve(raw, base, context, path) {
    const [program = "", ...args] = raw.command;
    return {
      ...base,
      type: "command",
      command: [resolveProgram(context.base, program), ...args],
      timeoutMs: context.durationMs(raw.timeout, `${path}.timeout`) ?? COMMAND_TIMEOUT_MS,
    };
  },
  fingerprint: (config) => ["command", config.command],
  secrets: () => [],
  create: (config, deps) => createCommandSink(config, deps.env === undefined ? {} : { env: deps.env }),
} satisfies SinkKind<z.infer<typeof schema>, CommandSinkConfig>;

/** A program with a "/" (or a leading ".") is a path, relative to the watchlist; a bare name is looked up in PATH. */
function resolveProgram(base: string, program: string): string {
  return program.includes("/") || program.startsWith(".") ? resolvePath(base, program) : program;
}
