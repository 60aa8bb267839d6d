import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Command } from "commander";
import { startDaemon } from "../daemon/daemon.js";
import { parseListen } from "../daemon/http-server.js";
import { DURATION_HINT, parseDuration } from "../duration.js";
import { EXIT } from "../errors/authwatch-error.js";
import { UsageError } from "../errors/usage-error.js";
import { createLogger } from "../logger.js";
import type { CommandIO, GlobalOptions, SignalName } from "./command-io.js";
import { loadCommandConfig, watchlistPath } from "./load-config.js";

interface WatchOptions {
  listen?: string;
  shutdownTimeout: string;
}

const RELOAD_DEBOUNCE_MS = 250;

/** `authwatch watch`: the daemon, until SIGTERM or SIGINT. SIGHUP or an edit of the watchlist reloads it. */
export function registerWatchCommand(
  program: Command,
  io: CommandIO,
  setExitCode: (code: number) => void,
): void {
  program
    .command("watch")
    .description("run the daemon: poll every watched session and send each transition to the sinks")
    .option(
      "--listen <host:port>",
      "serve /healthz, /metrics and /sessions (PORT alone means 127.0.0.1:PORT)",
    )
    .option("--shutdown-timeout <duration>", "how long SIGTERM may take to finish in-flight work", "10s")
    .action(async (options: WatchOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const shutdownMs = parseDuration(options.shutdownTimeout);
      if (shutdownMs === undefined) {
        throw new UsageError(`--shutdown-timeout "${options.shutdownTimeout}" is not ${DURATION_HINT}`);
      }
      const listen = options.listen ? parseListen(options.listen) : undefined;
      const logger = createLogger({
        level: global.logLevel ?? io.env.AUTHWATCH_LOG_LEVEL ?? "info",
        pretty: Boolean(io.stdout.isTTY),
      });
      const load = () => loadCommandConfig(global, io, { requireSecrets: true, requireWatchlist: true });
      const daemon = await startDaemon({
        config: load(),
        logger,
        env: io.env,
        ...(listen ? { listen } : {}),
      });

      const cleanups: (() => void)[] = [];
      const code = await new Promise<number>((resolve) => {
        // The scheduler's timers do not hold the process open; the daemon itself does, until it stops.
        const keepAlive = setInterval(() => {}, 1 << 30);
        cleanups.push(() => clearInterval(keepAlive));

        const reload = (reason: string) => {
          try {
            daemon.reload(load());
          } catch (error) {
            logger.error(
              { reason, error: error instanceof Error ? error.message : String(error) },
              "the new watchlist was rejected; the old one stays in force",
            );
          }
        };
        cleanups.push(io.onSignal("SIGHUP", () => reload("SIGHUP")));

        const { path } = watchlistPath(global, io);
        let debounce: NodeJS.Timeout | undefined;
        let watcher: FSWatcher | undefined;
        try {
          // Watch the folder, not the file: editors replace files by renaming a new one over them.
          watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
            if (filename !== null && filename !== basename(path)) return;
            clearTimeout(debounce);
            debounce = setTimeout(() => reload("watchlist file changed"), RELOAD_DEBOUNCE_MS);
          });
          watcher.on("error", (error) =>
            logger.warn({ err: error }, "cannot watch the watchlist for changes; SIGHUP still reloads"),
          );
        } catch (error) {
          logger.warn({ err: error }, "cannot watch the watchlist for changes; SIGHUP still reloads");
        }
        cleanups.push(() => {
          clearTimeout(debounce);
          watcher?.close();
        });

        let stopping = false;
        const onStop = (signal: SignalName) => () => {
          if (stopping) {
            // A second signal: the operator wants out now.
            logger.warn({ signal }, "second signal: exiting at once");
            resolve(signal === "SIGINT" ? EXIT.SIGINT : EXIT.SIGTERM);
            return;
          }
          stopping = true;
          logger.info({ signal, timeoutMs: shutdownMs }, "stopping");
          daemon.stop(shutdownMs).then(
            () => resolve(EXIT.OK),
            (error: unknown) => {
              logger.error({ err: error }, "shutdown failed");
              resolve(EXIT.FAILURE);
            },
          );
        };
        cleanups.push(io.onSignal("SIGTERM", onStop("SIGTERM")));
        cleanups.push(io.onSignal("SIGINT", onStop("SIGINT")));
      });
      for (const cleanup of cleanups) cleanup();
      logger.flush();
      setExitCode(code);
    });
}
