import type { ProjectQuery } from "../../commands/project-status.js";
import { renderStatusTable, summarizeFailures } from "../../commands/render-status.js";
import { collectStatus, readSinceFromState, statusExitCode } from "../../commands/status.js";
import { describeAlertsForStatus, readAlertsForStatus } from "../../commands/status-alerts.js";
import type { ResolvedConfig } from "../../config/types.js";
import { UsageError } from "../../errors/usage-error.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { loadCommandConfig } from "../load-config.js";
import { parseWorkspaceFlag } from "../parse-workspace.js";
import { missingStateFile } from "../state-file-hint.js";

export interface StatusOptions extends GlobalOptions {
  json: boolean;
  /** `--project NAME` (repeatable): every session of these projects, through one list request each. */
  projects: string[];
  workspace: string | undefined;
}

/** `authwatch status`: polls every watched session once; 0 when every poll succeeded, 1 otherwise. */
export const statusCommand = defineCommand<
  StatusOptions,
  { json?: boolean; project?: string[]; workspace?: string }
>({
  declare: (parent) =>
    parent
      .command("status")
      .description("poll every watched session once and print its status")
      .option("--json", "print one JSON object instead of a table")
      .option(
        "--project <name>",
        "every session of this project, by one list request (repeatable; no watchlist needed)",
        (value: string, previous: string[] = []) => [...previous, value],
      )
      .option("--workspace <id>", "workspace of --project (else INTUNED_WORKSPACE_ID or the watchlist)"),
  toOptions: ({ options }) => {
    for (const name of options.project ?? []) {
      if (!/^[^/]+$/.test(name))
        throw new UsageError(`--project "${name}" must be a project name without "/"`);
    }
    return {
      ...options,
      json: Boolean(options.json),
      projects: options.project ?? [],
      workspace: parseWorkspaceFlag(options.workspace),
    };
  },
  async run(options, { io }) {
    const byProject = options.projects.length > 0;
    // Polling needs every API key (a missing one is exit 2, not a row of failures); sink secrets it leaves alone.
    const config = loadCommandConfig(options, io, {
      needs: "api-keys",
      requireWatchlist: !byProject,
      flags: { workspaceId: options.workspace },
    });
    const { sinceOf, problem } = await readSinceFromState(config);
    const projects = byProject ? projectQueries(options.projects, config) : undefined;
    const polled = await collectStatus(config, { ...(sinceOf ? { sinceOf } : {}), projects });
    // Contract §8: which rule is overdue since when, and whether the session is silenced.
    const alertsOf = readAlertsForStatus(config, Date.now());
    const rows = alertsOf ? polled.map((row) => ({ ...row, ...alertsOf(row) })) : polled;
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ sessions: rows }, null, 2)}\n`);
    } else {
      io.stdout.write(renderStatusTable(rows, Date.now()));
      for (const line of describeAlertsForStatus(rows)) io.stdout.write(`  ${line}\n`);
    }
    for (const line of summarizeFailures(rows)) io.stderr.write(`authwatch: ${line}\n`);
    // `--project` without a daemon's state is a normal use (a quick look at a project): no hint then.
    const quietMissing = byProject && problem === "missing";
    if (problem !== undefined && !quietMissing && rows.some((row) => row.status !== null)) {
      const why = problem === "missing" ? missingStateFile(config.statePath) : problem;
      io.stderr.write(`authwatch: since is unknown: ${why}\n`);
    }
    return statusExitCode(rows);
  },
});

/**
 * The projects `--project` names: a watchlist `projects` entry of that name lends its workspace and key
 * (not its filter: `--project` shows every session); otherwise the default workspace and key.
 */
function projectQueries(names: readonly string[], config: ResolvedConfig): ProjectQuery[] {
  return [...new Set(names)].map((projectName) => {
    const entry = config.projects.find(
      (project) =>
        project.projectName === projectName &&
        (config.workspaceId === undefined ||
          project.workspaceId.toLowerCase() === config.workspaceId.toLowerCase()),
    );
    if (entry) return { workspaceId: entry.workspaceId, projectName, apiKey: entry.apiKey };
    if (config.workspaceId === undefined) {
      throw new UsageError(
        `--project ${projectName} needs a workspace: pass --workspace ID, or set INTUNED_WORKSPACE_ID`,
      );
    }
    return { workspaceId: config.workspaceId, projectName, apiKey: config.apiKey };
  });
}
