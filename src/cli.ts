#!/usr/bin/env node
// Node's default action for an unhandled SIGHUP is to exit. Until the command installs its own
// handlers (watch reloads on SIGHUP), ignore one, so that a `systemctl reload` issued right after
// start cannot kill the daemon while its modules are still loading.
const ignoreEarlyHangup = () => {};
process.on("SIGHUP", ignoreEarlyHangup);

const { processIO } = await import("./cli/command-io.js");
const { runCli } = await import("./cli/run-cli.js");
process.off("SIGHUP", ignoreEarlyHangup);

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
