import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandGroup, defineCommand } from "../../../src/cli/cli-command.js";
import { historyCommand } from "../../../src/cli/commands/history.js";
import { COMMANDS } from "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/run-cli.js";
import { captureIO } from "../../helpers/capture-io.js";

describe("the command registry", () => {
  it("lists every registered command in --help", async () => {
    const io = captureIO({}, tmpdir());
    expect(await runCli(["--help"], io)).toBe(0);
    // A subcommand (silence add) is listed under its group's name.
    const names = COMMANDS.map((command) => {
      const declared = command.declare(new Command());
      return declared.parent?.parent ? (declared.parent.name() ?? "") : declared.name();
    });
    expect(names).toEqual(expect.arrayContaining(["check", "status", "watch", "wait", "history", "demo"]));
    for (const name of names) expect(io.stdoutText()).toMatch(new RegExp(`^  ${name}\\b`, "m"));
  });

  it("runs a command module on its own, which returns its exit code instead of setting one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-registry-"));
    const io = captureIO({ AUTHWATCH_STATE: join(dir, "none.db") }, dir);
    const options = historyCommand.toOptions({ args: [], options: {} });
    expect(await historyCommand.run(options, { io })).toBe(0);
    expect(io.stdoutText()).toContain("No events recorded yet.");
  });

  it("builds subcommands of one group from separate modules, and passes their exit code through", async () => {
    const program = new Command("authwatch").exitOverride();
    let exitCode = -1;
    const modules = ["add", "list"].map((name, index) =>
      defineCommand({
        declare: (parent) => commandGroup(parent, "silence", "manage silences").command(name),
        toOptions: () => ({}),
        run: async () => 10 + index,
      }),
    );
    for (const module of modules) {
      module.declare(program).action(async () => {
        exitCode = await module.run({}, { io: captureIO({}, tmpdir()) });
      });
    }
    await program.parseAsync(["silence", "list"], { from: "user" });
    expect(program.commands.map((command) => command.name())).toEqual(["silence"]);
    expect(exitCode).toBe(11);
  });
});
