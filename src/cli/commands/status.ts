import { renderStatusTable, summarizeFailures } from "../../commands/render-status.js";
import { collectStatus, readSinceFromStateFile, statusExitCode } from "../../commands/status.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { loadCommandConfig } from "../load-config.js";
import { missingStateFile } from "../state-file-hint.js";

export interface StatusOptions extends GlobalOptions {
  json: boolean;
}

/** `authwatch status`: polls every watched session once; 0 when every poll succeeded, 1 otherwise. */
export const statusCommand = defineCommand<StatusOptions>({
  declare: (parent) =>
    parent
      .command("status")
      .description("poll every watched session once and print its status")
      .option("--json", "print one JSON object instead of a table"),
  toOptions: ({ options }) => ({ ...options, json: Boolean(options.json) }),
  async run(options, { io }) {
    // Polling needs every API key (a missing one is exit 2, not a row of failures); sink secrets it leaves alone.
    const config = loadCommandConfig(options, io, { needs: "api-keys", requireWatchlist: true });
    const { sinceOf, problem } = readSinceFromStateFile(config.statePath);
    const rows = await collectStatus(config, sinceOf ? { sinceOf } : {});
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ sessions: rows }, null, 2)}\n`);
    } else {
      io.stdout.write(renderStatusTable(rows, Date.now()));
    }
    for (const line of summarizeFailures(rows)) io.stderr.write(`authwatch: ${line}\n`);
    if (problem !== undefined && rows.some((row) => row.status !== null)) {
      const why = problem === "missing" ? missingStateFile(config.statePath) : problem;
      io.stderr.write(`authwatch: since is unknown: ${why}\n`);
    }
    return statusExitCode(rows);
  },
});
