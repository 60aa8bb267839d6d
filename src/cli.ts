#!/usr/bin/env node
import { processIO } from "./cli/command-io.js";
import { runCli } from "./cli/run-cli.js";

/** The only place that exits the process: everything below returns an exit code or throws. */
runCli(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
    // Let stdout drain, then leave even if a library keeps a handle open.
    setImmediate(() => process.exit(code)).unref();
  },
  (error: unknown) => {
    // Not an AuthwatchError: a bug. The stack trace is for the issue report.
    process.stderr.write(
      `authwatch: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.stderr.write("authwatch: this is a bug; please report it with the lines above.\n");
    process.exit(1);
  },
);
