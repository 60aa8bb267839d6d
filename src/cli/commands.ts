import type { Command } from "commander";
import { probeKeys, summarizeConfig } from "../commands/check.js";
import { readHistory, renderHistoryTable } from "../commands/history.js";
import { renderStatusTable, summarizeFailures } from "../commands/render-status.js";
import { collectStatus, readSinceFromStateFile, statusExitCode } from "../commands/status.js";
import { runDemo } from "../demo/run-demo.js";
import { EXIT } from "../errors/authwatch-error.js";
import { ConfigError } from "../errors/config-error.js";
import { UsageError } from "../errors/usage-error.js";
import { createLogger } from "../logger.js";
import { UUID_PATTERN } from "../types.js";
import { parseWaitTarget } from "../wait/parse-target.js";
import type { CommandIO, GlobalOptions } from "./command-io.js";
import { loadCommandConfig, watchlistPath } from "./load-config.js";
import { resolveLogLevel } from "./log-level.js";
import { registerWaitCommand } from "./wait-command.js";
import { registerWatchCommand } from "./watch-command.js";

type SetExitCode = (code: number) => void;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Declares every subcommand: options and help here, the work in src/commands/. */
export function registerCommands(program: Command, io: CommandIO, setExitCode: SetExitCode): void {
  const globals = (command: Command) => command.optsWithGlobals<GlobalOptions>();

  program
    .command("check")
    .description("validate the watchlist and the environment it names, sending nothing")
    .option("--online", "also make one request per API key to prove it is accepted")
    .action(async (options: { online?: boolean }, command: Command) => {
      const config = loadCommandConfig(globals(command), io, {
        requireSecrets: true,
        requireWatchlist: true,
      });
      const summary = summarizeConfig(config);
      const online = options.online ? await probeKeys(config) : { lines: [], issues: [] };
      const { path } = watchlistPath(globals(command), io);
      for (const line of online.lines) io.stdout.write(`  ${line}\n`);
      if (online.issues.length > 0) throw new ConfigError("check --online", online.issues);
      io.stdout.write(
        `${path} is valid: ${plural(summary.sessions, "session")}, ${plural(summary.sinks, "sink")}, ${plural(summary.apiKeys, "API key")}\n`,
      );
    });

  program
    .command("status")
    .description("poll every watched session once and print its status")
    .option("--json", "print one JSON object instead of a table")
    .action(async (options: { json?: boolean }, command: Command) => {
      // Polling needs every key; a missing one is a config error (exit 2), not a row of failures.
      const config = loadCommandConfig(globals(command), io, {
        requireSecrets: true,
        requireWatchlist: true,
      });
      const sinceOf = readSinceFromStateFile(config.statePath);
      const rows = await collectStatus(config, sinceOf ? { sinceOf } : {});
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ sessions: rows }, null, 2)}\n`);
      } else {
        io.stdout.write(renderStatusTable(rows, Date.now()));
      }
      for (const line of summarizeFailures(rows)) io.stderr.write(`authwatch: ${line}\n`);
      setExitCode(statusExitCode(rows));
    });

  registerWatchCommand(program, io, setExitCode);
  registerWaitCommand(program, io, setExitCode);

  program
    .command("history")
    .description("print the persisted events, newest last, with their delivery status per sink")
    .argument("[project/session]", "only this session's events")
    .option("--json", "print JSON instead of a table")
    .option("--limit <n>", "only the newest N events")
    .option("--workspace <id>", "the session's workspace (default: any)")
    .action(
      async (
        target: string | undefined,
        options: { json?: boolean; limit?: string; workspace?: string },
        command: Command,
      ) => {
        const config = loadCommandConfig(globals(command), io, {
          requireSecrets: false,
          requireWatchlist: false,
        });
        const limit = options.limit === undefined ? undefined : Number(options.limit);
        if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
          throw new UsageError(`--limit "${options.limit}" must be a whole number above 0`);
        }
        if (options.workspace !== undefined) {
          if (target === undefined)
            throw new UsageError("--workspace needs a PROJECT/SESSION_ID to go with it");
          if (!UUID_PATTERN.test(options.workspace)) {
            throw new UsageError(
              `--workspace "${options.workspace}" must be a UUID like "123e4567-e89b-12d3-a456-426614174000"`,
            );
          }
        }
        const parsed =
          target === undefined ? undefined : { ...parseWaitTarget(target), workspaceId: options.workspace };
        const entries = readHistory({
          statePath: config.statePath,
          ...(parsed ? { target: parsed } : {}),
          ...(limit ? { limit } : {}),
        });
        if (options.json) {
          // Times in ISO 8601, like every other time authwatch prints.
          const events = entries.map(({ event, deliveries }) => ({
            ...event,
            deliveries: deliveries.map((d) => ({
              ...d,
              deliveredAt: d.deliveredAt === null ? null : new Date(d.deliveredAt).toISOString(),
            })),
          }));
          io.stdout.write(`${JSON.stringify({ events }, null, 2)}\n`);
        } else {
          io.stdout.write(renderHistoryTable(entries));
        }
      },
    );

  program
    .command("demo")
    .description("show the whole pipeline on this machine with a simulated Intuned API; ends by itself")
    .action(async (_options: unknown, command: Command) => {
      const logger = createLogger({
        level: resolveLogLevel(globals(command), io),
        pretty: Boolean(io.stdout.isTTY),
      });
      const result = await runDemo({ out: io.stdout, logger });
      logger.flush();
      setExitCode(result.ok ? EXIT.OK : EXIT.FAILURE);
    });
}
