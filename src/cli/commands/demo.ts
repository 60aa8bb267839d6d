import { runDemo } from "../../demo/run-demo.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { createLogger } from "../../logger.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { resolveLogLevel } from "../log-level.js";

/** `authwatch demo`: the whole pipeline against a simulated API; ends by itself. */
export const demoCommand = defineCommand<GlobalOptions>({
  declare: (parent) =>
    parent
      .command("demo")
      .description("show the whole pipeline on this machine with a simulated Intuned API; ends by itself"),
  toOptions: ({ options }) => options,
  async run(options, { io }) {
    const logger = createLogger({ level: resolveLogLevel(options, io), pretty: Boolean(io.stdout.isTTY) });
    const result = await runDemo({ out: io.stdout, logger });
    logger.flush();
    return result.ok ? EXIT.OK : EXIT.FAILURE;
  },
});
