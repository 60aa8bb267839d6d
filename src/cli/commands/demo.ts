import { runDemo } from "../../demo/run-demo.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { createCommandLogger } from "../command-logger.js";

/** `authwatch demo`: the whole pipeline against a simulated API; ends by itself. */
export const demoCommand = defineCommand<GlobalOptions>({
  declare: (parent) =>
    parent
      .command("demo")
      .description("show the whole pipeline on this machine with a simulated Intuned API; ends by itself"),
  toOptions: ({ options }) => options,
  async run(options, { io }) {
    const logger = createCommandLogger(options, io);
    const result = await runDemo({ out: io.stdout, logger });
    logger.flush();
    return result.ok ? EXIT.OK : EXIT.FAILURE;
  },
});
