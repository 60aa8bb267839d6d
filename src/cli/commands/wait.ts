import { systemClock } from "../../clock.js";
import { MAX_TIMER_MS } from "../../config/schema.js";
import { formatDuration } from "../../duration.js";
import { AuthwatchError, EXIT } from "../../errors/authwatch-error.js";
import { UsageError } from "../../errors/usage-error.js";
import { sessionName } from "../../wait/describe.js";
import { initialSessionState } from "../../wait/session-state.js";
import { WAIT_STATUSES, type WaitReport, type WaitResult, type WaitStatus } from "../../wait/types.js";
import { WaitError } from "../../wait/wait-error.js";
import { WAIT_DEFAULTS, waitForSession } from "../../wait/wait-for-sessions.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions, SignalName } from "../command-io.js";
import { loadCommandConfig } from "../load-config.js";
import { DURATION_FLAG_HELP, parseDurationFlag } from "../parse-duration-flag.js";
import { parseWorkspaceFlag } from "../parse-workspace.js";
import { type ParsedTarget, parseWaitStatus, parseWaitTarget } from "../wait/parse-target.js";
import { createProgressView, type ProgressMode } from "../wait/progress.js";
import { resolveWaitTargets } from "../wait/resolve-targets.js";
import { summarizeSessions, toWaitJson } from "../wait/summary.js";

interface WaitFlags {
  for: string;
  timeout: string;
  interval: string;
  workspace?: string;
  json?: boolean;
  quiet?: boolean;
  failFast: boolean;
}

export interface WaitOptions extends GlobalOptions {
  targets: ParsedTarget[];
  for: WaitStatus;
  timeoutMs: number;
  intervalMs: number;
  workspace: string | undefined;
  json: boolean;
  quiet: boolean;
  failFast: boolean;
}

const MIN_INTERVAL_MS = 1_000;
const SIGNAL_EXIT: Partial<Record<SignalName, number>> = { SIGINT: EXIT.SIGINT, SIGTERM: EXIT.SIGTERM };
/** How often a TTY's elapsed times are redrawn between polls. */
const TICK_MS = 1_000;

/** `authwatch wait PROJECT/SESSION_ID…`: holds a script until every session has the status (README, Commands). */
export const waitCommand = defineCommand<WaitOptions, WaitFlags>({
  declare: (parent) =>
    parent
      .command("wait")
      .description("poll until every named session has the wanted status; the exit code says what happened")
      .argument("<project/session...>", "sessions to wait for, as PROJECT/SESSION_ID")
      .option("--for <status>", `the status to wait for: ${WAIT_STATUSES.join(", ")}`, WAIT_DEFAULTS.for)
      .option("--timeout <duration>", `give up after this long (${DURATION_FLAG_HELP}); 0 checks once`, "5m")
      .option("--interval <duration>", "time between polls of a session (at least 1s)", "5s")
      .option("--workspace <id>", "workspace of the sessions (else INTUNED_WORKSPACE_ID or the watchlist)")
      .option("--json", "print one JSON object with the result and every session's last state")
      .option("--quiet", "print nothing but errors")
      .option("--no-fail-fast", "waiting for READY, keep waiting when a session is EXPIRED or NOT_FOUND")
      .addHelpText(
        "after",
        "\nExit codes: 0 reached, 1 timed out, 2 usage/config error, 3 ended early (EXPIRED/NOT_FOUND),\n" +
          "4 credentials refused (401/403), 5 timed out while the API was failing, 130/143 interrupted.\n",
      ),
  toOptions: ({ args, options }) => ({
    ...options,
    ...parseFlags(options),
    targets: (args[0] as string[]).map(parseWaitTarget),
    json: Boolean(options.json),
    quiet: Boolean(options.quiet),
    failFast: options.failFast,
  }),
  async run(options, { io }) {
    const config = loadCommandConfig(options, io, {
      needs: false,
      requireWatchlist: false,
      flags: { workspaceId: options.workspace },
    });
    const sessions = resolveWaitTargets(options.targets, config, { workspace: options.workspace });

    const controller = new AbortController();
    const unsubscribe = (["SIGINT", "SIGTERM"] as const).map((signal) =>
      io.onSignal(signal, () =>
        controller.abort(
          new AuthwatchError("ABORTED", `interrupted by ${signal}`, {
            exitCode: SIGNAL_EXIT[signal] ?? EXIT.FAILURE,
          }),
        ),
      ),
    );
    const startedAt = systemClock.now();
    const mode: ProgressMode = options.quiet ? "quiet" : io.stderr.isTTY ? "tty" : "plain";
    const view = createProgressView(io.stderr, {
      mode,
      for: options.for,
      startedAt,
      sessions: sessions.map(initialSessionState),
    });
    const ticker = mode === "tty" ? setInterval(() => view.tick(systemClock.now()), TICK_MS) : undefined;

    let outcome: { result: WaitResult; exitCode: number; report: WaitReport; error: WaitError | null };
    try {
      const report = await waitForSession(
        {
          sessions,
          baseUrl: config.api.baseUrl,
          for: options.for,
          timeoutMs: options.timeoutMs,
          intervalMs: options.intervalMs,
          requestTimeoutMs: config.api.timeoutMs,
          failFast: options.failFast,
          clock: systemClock,
          onProgress: (progress) => view.update(progress),
        },
        { signal: controller.signal },
      );
      outcome = { result: "reached", exitCode: EXIT.OK, report, error: null };
    } catch (error) {
      if (!(error instanceof WaitError)) throw error;
      outcome = { result: error.reason, exitCode: error.exitCode, report: error.report, error };
    } finally {
      if (ticker) clearInterval(ticker);
      for (const off of unsubscribe) off();
      view.close(systemClock.now());
    }

    const { result, exitCode, report, error } = outcome;
    if (options.json) {
      io.stdout.write(
        `${JSON.stringify(toWaitJson(result, exitCode, report, error?.toJSON() ?? null), null, 2)}\n`,
      );
    }
    if (error) {
      io.stderr.write(`authwatch: ${error.message}\n`);
      if (!options.json && !options.quiet) io.stderr.write(`${summarizeSessions(report).join("\n")}\n`);
    } else if (!options.json && !options.quiet) {
      const names = report.sessions.map(sessionName).join(", ");
      io.stdout.write(`${names}: ${options.for} after ${formatDuration(report.elapsedMs)}\n`);
      io.stdout.write(`${summarizeSessions(report).join("\n")}\n`);
    }
    return exitCode;
  },
});

function parseFlags(flags: WaitFlags) {
  const wanted = parseWaitStatus(flags.for);
  if (wanted === undefined) {
    throw new UsageError(
      `--for "${flags.for}" is not a status to wait for: use one of ${WAIT_STATUSES.join(", ")}`,
    );
  }
  const timeoutMs = parseDurationFlag("--timeout", flags.timeout);
  const intervalMs = parseDurationFlag("--interval", flags.interval);
  if (intervalMs < MIN_INTERVAL_MS) {
    throw new UsageError(`--interval "${flags.interval}" is below the minimum of 1s, which spares the API`);
  }
  for (const [flag, ms] of [
    ["--timeout", timeoutMs],
    ["--interval", intervalMs],
  ] as const) {
    // Node fires longer timers at once; nobody waits 24 days for a login anyway.
    if (ms > MAX_TIMER_MS) throw new UsageError(`${flag} must be at most ${formatDuration(MAX_TIMER_MS)}`);
  }
  return { for: wanted, timeoutMs, intervalMs, workspace: parseWorkspaceFlag(flags.workspace) };
}
