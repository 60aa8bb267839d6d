import type { Command } from "commander";
import type { CommandIO, GlobalOptions } from "./command-io.js";

/** What a command may use besides its options: the outside world, passed in so tests run it in-process. */
export interface CommandDeps {
  io: CommandIO;
}

/**
 * What commander parsed for one command: its positional arguments, and its options with the global
 * ones. `Flags` is how the command's `declare` shaped them (commander does not type them itself).
 */
export interface ParsedLine<Flags> {
  args: readonly unknown[];
  options: GlobalOptions & Flags;
}

/**
 * One `authwatch` command: how it looks on the command line, and what it does. `run` returns the
 * exit code and throws an AuthwatchError for expected failures; only src/cli.ts exits the process.
 * To add a command, write one of these in src/cli/commands/ and list it in src/cli/commands/index.ts.
 */
export interface CliCommand<Options, Flags = Record<string, unknown>> {
  /** Declares the command on `parent` (name, arguments, options, help) and returns it. */
  declare(parent: Command): Command;
  /** Turns what commander parsed into the command's options; a bad value is a UsageError. */
  toOptions(line: ParsedLine<Flags>): Options;
  run(options: Options, deps: CommandDeps): Promise<number>;
}

/** Identity, for type inference: `export const statusCommand = defineCommand({ … })`. */
export function defineCommand<Options, Flags = Record<string, unknown>>(
  command: CliCommand<Options, Flags>,
): CliCommand<Options, Flags> {
  return command;
}

/**
 * The group command `name` under `parent` (e.g. `silence` for `silence add|list|remove`), created on
 * first use, so each subcommand can be a module of its own.
 */
export function commandGroup(parent: Command, name: string, description: string): Command {
  return (
    parent.commands.find((command) => command.name() === name) ??
    parent.command(name).description(description)
  );
}
