import { Command, CommanderError, Option } from "commander";
import { AuthwatchError, EXIT } from "../errors/authwatch-error.js";
import { VERSION } from "../version.js";
import type { CommandIO } from "./command-io.js";
import { LOG_FORMATS } from "./command-logger.js";
import { COMMANDS } from "./commands/index.js";
import { LOG_LEVELS } from "./log-level.js";

/**
 * Parses argv and runs one command. Returns the exit code; never exits the process itself
 * (only src/cli.ts does), so tests drive the whole CLI in-process.
 */
export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = new Command("authwatch")
    .description("Watch Intuned AuthSessions: alert the moment one expires, hold jobs until one is READY.")
    .version(VERSION, "-V, --version")
    .option("-c, --watchlist <path>", "watchlist file (env AUTHWATCH_WATCHLIST)", undefined)
    .option("--state <path>", 'state file (env AUTHWATCH_STATE; else the watchlist\'s "state")')
    .addOption(new Option("--log-level <level>", "log level (env AUTHWATCH_LOG_LEVEL)").choices(LOG_LEVELS))
    .addOption(
      new Option(
        "--log-format <format>",
        "log lines as JSON or pretty (env AUTHWATCH_LOG_FORMAT; default pretty on a TTY, JSON otherwise; NO_COLOR drops colours)",
      ).choices(LOG_FORMATS),
    )
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors read like every other expected error: one line, what is wrong, where to look.
      outputError: (text, write) => write(`authwatch: ${text.replace(/^error: /, "").trim()} (see --help)\n`),
    });

  for (const command of COMMANDS) {
    command.declare(program).action(async (...values: unknown[]) => {
      // commander passes the positional arguments, then the options, then the command itself.
      const self = values.at(-1) as Command;
      const options = command.toOptions({
        args: values.slice(0, -2),
        options: self.optsWithGlobals(),
      });
      exitCode = await command.run(options, { io });
    });
  }

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (error instanceof AuthwatchError) {
      if (error.message) io.stderr.write(`authwatch: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  return exitCode;
}
