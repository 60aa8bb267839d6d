/**
 * Every `authwatch` command, in the order `--help` lists them. Adding a command: write a module in
 * this folder that exports `defineCommand({ declare, toOptions, run })`, and list it here.
 */
import type { CliCommand } from "../cli-command.js";
import { checkCommand } from "./check.js";
import { demoCommand } from "./demo.js";
import { fakeApiCommand } from "./fake-api.js";
import { historyCommand } from "./history.js";
import { silenceAddCommand } from "./silence-add.js";
import { silenceListCommand } from "./silence-list.js";
import { silenceRemoveCommand } from "./silence-remove.js";
import { statusCommand } from "./status.js";
import { waitCommand } from "./wait.js";
import { watchCommand } from "./watch.js";

// biome-ignore lint/suspicious/noExplicitAny: each command has its own options type; run-cli pairs toOptions with run.
export const COMMANDS: readonly CliCommand<any, any>[] = [
  checkCommand,
  statusCommand,
  watchCommand,
  waitCommand,
  historyCommand,
  silenceAddCommand,
  silenceListCommand,
  silenceRemoveCommand,
  demoCommand,
  fakeApiCommand,
];
