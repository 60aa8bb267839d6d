import { removeSilenceFrom } from "../../commands/silence.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { UsageError } from "../../errors/usage-error.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { loadCommandConfig } from "../load-config.js";
import { silenceGroup } from "./silence-add.js";

export interface SilenceRemoveOptions extends GlobalOptions {
  id: string;
}

/** `authwatch silence remove ID`: ends a silence now (a running daemon notices within seconds). */
export const silenceRemoveCommand = defineCommand<SilenceRemoveOptions>({
  declare: (parent) =>
    silenceGroup(parent)
      .command("remove")
      .description("end a silence now")
      .argument("<id>", "the silence's id, as `silence add` printed it"),
  toOptions: ({ args, options }) => ({ ...options, id: String(args[0]) }),
  async run(options, { io }) {
    const config = loadCommandConfig(options, io, { needs: false, requireWatchlist: false });
    if (!(await removeSilenceFrom(config, options.id, Date.now()))) {
      throw new UsageError(`no silence "${options.id}" is in force — see \`authwatch silence list\``);
    }
    io.stdout.write(`${options.id} removed\n`);
    return EXIT.OK;
  },
});
