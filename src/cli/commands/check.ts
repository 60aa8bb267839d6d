import { statSync } from "node:fs";
import { resolve } from "node:path";
import { explainAlerts } from "../../alerts/explain-alerts.js";
import { probeKeys, summarizeConfig } from "../../commands/check.js";
import { testSinks } from "../../commands/check-sinks.js";
import { listSilences } from "../../commands/silence.js";
import type { ResolvedConfig } from "../../config/types.js";
import { scrubSecretsFromEnv } from "../../daemon/scrub-env.js";
import { AuthwatchError, EXIT } from "../../errors/authwatch-error.js";
import { ConfigError } from "../../errors/config-error.js";
import { UsageError } from "../../errors/usage-error.js";
import { defineCommand } from "../cli-command.js";
import type { CommandIO, GlobalOptions } from "../command-io.js";
import { createCommandLogger } from "../command-logger.js";
import { loadCommandConfig, watchlistPath } from "../load-config.js";

export interface CheckOptions extends GlobalOptions {
  online: boolean;
  /** Send one marked test event to every sink. */
  sinks: boolean;
  /** Absolute; see SecretSources.credentialsDirectory. */
  credentialsDirectory: string | undefined;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** `authwatch check`: validates the watchlist and the environment it names, sending nothing. */
export const checkCommand = defineCommand<CheckOptions>({
  declare: (parent) =>
    parent
      .command("check")
      .description("validate the watchlist and the environment it names, sending nothing")
      .option(
        "--online",
        "also make one request per API key to prove it is accepted (a refused key exits 2; an API that does not answer, 1)",
      )
      .option(
        "--sinks",
        "also send one test event (project authwatch-test, session check-sinks) to every sink and report each answer; exit 1 unless all accept it",
      )
      .option(
        "--credentials-directory <dir>",
        "check a systemd service's layout from a shell: read the credentials (intuned-api-key, and files " +
          "under /run/credentials/<unit>/) from DIR, where LoadCredential= takes them from",
      ),
  toOptions: ({ options }) => ({
    ...options,
    online: Boolean(options.online),
    sinks: Boolean(options.sinks),
    credentialsDirectory: options.credentialsDirectory as string | undefined,
  }),
  async run(options, { io }) {
    if (
      options.credentialsDirectory !== undefined &&
      !isDirectory(resolve(io.cwd, options.credentialsDirectory))
    ) {
      throw new UsageError(
        `--credentials-directory "${options.credentialsDirectory}" is not a folder; name the one LoadCredential= reads from, like /etc/authwatch/credentials`,
      );
    }
    const config = loadCommandConfig(options, io, {
      needs: true,
      requireWatchlist: true,
      flags: {
        credentialsDirectory:
          options.credentialsDirectory === undefined
            ? undefined
            : resolve(io.cwd, options.credentialsDirectory),
      },
    });
    const summary = summarizeConfig(config);
    const { path } = watchlistPath(options, io);
    io.stdout.write(
      `${path} is valid: ${plural(summary.sessions, "session")}, ${summary.projects > 0 ? `${plural(summary.projects, "project")}, ` : ""}${plural(summary.sinks, "sink")}, ${plural(summary.apiKeys, "API key")}\n`,
    );
    const alerts = explainAlerts(config, listSilences(config.statePath, Date.now()), Date.now());
    for (const line of alerts.lines) io.stdout.write(`  ${line}\n`);
    // Not errors: a window for a project not watched yet is harmless, but often a typo.
    for (const warning of alerts.warnings) io.stderr.write(`authwatch: warning: ${warning}\n`);
    const sinksOk = options.sinks ? await reportSinkTests(config, options, io) : true;
    if (!options.online) return sinksOk ? EXIT.OK : EXIT.FAILURE;
    const probes = await probeKeys(config);
    for (const line of probes.lines) io.stdout.write(`  ${line}\n`);
    // A refused key is a configuration to fix (2); an API that does not answer is an outage (1),
    // which a retry may cure: scripts and service managers must be able to tell them apart.
    if (probes.refused.length > 0) throw new ConfigError("check --online", probes.refused);
    const [first, ...more] = probes.unverified;
    if (first) {
      const what =
        more.length === 0 ? first.message : `${first.message} (and ${plural(more.length, "more key")})`;
      throw new AuthwatchError(
        first.code,
        `could not reach the Intuned API to verify the keys: ${what}. The configuration is valid; try again when the API answers`,
        { exitCode: EXIT.FAILURE },
      );
    }
    return sinksOk ? EXIT.OK : EXIT.FAILURE;
  },
});

/** One line per sink; true when every sink accepted its test event. */
async function reportSinkTests(
  config: ResolvedConfig,
  global: GlobalOptions,
  io: CommandIO,
): Promise<boolean> {
  if (config.sinks.length === 0) {
    io.stdout.write("No sinks to test.\n");
    return true;
  }
  io.stdout.write(`Sending a test event to ${plural(config.sinks.length, "sink")}:\n`);
  const results = await testSinks(config, {
    logger: createCommandLogger(global, io),
    env: scrubSecretsFromEnv(io.env, config),
  });
  for (const result of results) {
    io.stdout.write(
      `  ${result.name} (${result.type}): ${result.ok ? result.detail : `failed: ${result.detail}`}\n`,
    );
  }
  const failed = results.filter((result) => !result.ok).length;
  if (failed > 0) {
    io.stderr.write(
      `authwatch: ${failed} of ${plural(results.length, "sink")} did not accept the test event — fix what its line says and run check --sinks again\n`,
    );
  }
  return failed === 0;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
