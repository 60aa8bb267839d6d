import { probeKeys, summarizeConfig } from "../../commands/check.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { ConfigError } from "../../errors/config-error.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { loadCommandConfig, watchlistPath } from "../load-config.js";

export interface CheckOptions extends GlobalOptions {
  online: boolean;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** `authwatch check`: validates the watchlist and the environment it names, sending nothing. */
export const checkCommand = defineCommand<CheckOptions>({
  declare: (parent) =>
    parent
      .command("check")
      .description("validate the watchlist and the environment it names, sending nothing")
      .option("--online", "also make one request per API key to prove it is accepted"),
  toOptions: ({ options }) => ({ ...options, online: Boolean(options.online) }),
  async run(options, { io }) {
    const config = loadCommandConfig(options, io, { requireSecrets: true, requireWatchlist: true });
    const summary = summarizeConfig(config);
    const online = options.online ? await probeKeys(config) : { lines: [], issues: [] };
    const { path } = watchlistPath(options, io);
    for (const line of online.lines) io.stdout.write(`  ${line}\n`);
    if (online.issues.length > 0) throw new ConfigError("check --online", online.issues);
    io.stdout.write(
      `${path} is valid: ${plural(summary.sessions, "session")}, ${plural(summary.sinks, "sink")}, ${plural(summary.apiKeys, "API key")}\n`,
    );
    return EXIT.OK;
  },
});
