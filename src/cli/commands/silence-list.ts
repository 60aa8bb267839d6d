import { listSilencesOf, renderSilences, silenceToJson } from "../../commands/silence.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { loadCommandConfig } from "../load-config.js";
import { silenceGroup } from "./silence-add.js";

export interface SilenceListOptions extends GlobalOptions {
  json: boolean;
}

/** `authwatch silence list [--json]`: the silences in force or still to come. */
export const silenceListCommand = defineCommand<SilenceListOptions>({
  declare: (parent) =>
    silenceGroup(parent)
      .command("list")
      .description("list the silences in force or still to come")
      .option("--json", "print JSON instead of a table"),
  toOptions: ({ options }) => ({ ...options, json: Boolean(options.json) }),
  async run(options, { io }) {
    const config = loadCommandConfig(options, io, { needs: false, requireWatchlist: false });
    const now = Date.now();
    const silences = await listSilencesOf(config, now);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ silences: silences.map(silenceToJson) }, null, 2)}\n`);
    } else {
      io.stdout.write(renderSilences(silences, now));
    }
    return EXIT.OK;
  },
});
