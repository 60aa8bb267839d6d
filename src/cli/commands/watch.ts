import { type FSWatcher, readFileSync, watch } from "node:fs";
import { dirname } from "node:path";
import { type Daemon, startDaemon } from "../../daemon/daemon.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { resolveHttpToken } from "../../http/http-token.js";
import { LISTEN_ENV, parseListen } from "../../http/listen-address.js";
import type { Logger } from "../../logger.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions, SignalName } from "../command-io.js";
import { createCommandLogger } from "../command-logger.js";
import { loadCommandConfig, watchlistPath } from "../load-config.js";
import { DURATION_FLAG_HELP, parseDurationFlag } from "../parse-duration-flag.js";

export interface WatchOptions extends GlobalOptions {
  listen: ReturnType<typeof parseListen> | undefined;
  shutdownMs: number;
}

const RELOAD_DEBOUNCE_MS = 250;

const readOrEmpty = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

/**
 * Reloads when the watchlist's content changes. The folder is watched, not the file: editors
 * replace files by renaming a new one over them, and Kubernetes ConfigMaps swap a `..data` symlink,
 * so events may name other entries; comparing the content catches all of these and ignores the rest.
 */
function watchForChanges(path: string, logger: Logger, onChange: () => void): () => void {
  let last = readOrEmpty(path);
  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const check = () => {
    const now = readOrEmpty(path);
    if (now === last) return;
    last = now;
    onChange();
  };
  try {
    watcher = watch(dirname(path), { persistent: false }, () => {
      clearTimeout(debounce);
      debounce = setTimeout(check, RELOAD_DEBOUNCE_MS);
    });
    watcher.on("error", (error) =>
      logger.warn({ err: error }, "cannot watch the watchlist for changes; SIGHUP still reloads"),
    );
  } catch (error) {
    logger.warn({ err: error }, "cannot watch the watchlist for changes; SIGHUP still reloads");
  }
  return () => {
    clearTimeout(debounce);
    watcher?.close();
  };
}

/** `authwatch watch`: the daemon, until SIGTERM or SIGINT. SIGHUP or an edit of the watchlist reloads it. */
export const watchCommand = defineCommand<WatchOptions, { listen?: string; shutdownTimeout: string }>({
  declare: (parent) =>
    parent
      .command("watch")
      .description("run the daemon: poll every watched session and send each transition to the sinks")
      .option(
        "--listen <host:port>",
        `serve the status page, /healthz, /metrics, /sessions and /events (PORT alone means 127.0.0.1:PORT; env ${LISTEN_ENV})`,
      )
      .option(
        "--shutdown-timeout <duration>",
        `how long SIGTERM may take to finish in-flight work (${DURATION_FLAG_HELP})`,
        "10s",
      ),
  toOptions: ({ options }) => {
    const raw = options;
    const shutdownMs = parseDurationFlag("--shutdown-timeout", raw.shutdownTimeout);
    return { ...options, listen: raw.listen ? parseListen(raw.listen) : undefined, shutdownMs };
  },
  async run(options, { io }) {
    const global = options;
    const { shutdownMs } = options;
    const fromEnv = io.env[LISTEN_ENV];
    const listen = options.listen ?? (fromEnv ? parseListen(fromEnv, LISTEN_ENV) : undefined);
    const logger = createCommandLogger(global, io);
    const load = () => loadCommandConfig(global, io, { needs: true, requireWatchlist: true });

    // Signals are handled from the first moment: a `systemctl reload` during start-up must not kill
    // the process (Node dies on an unhandled SIGHUP), and a stop during start-up is honoured after it.
    const cleanups: (() => void)[] = [];
    let daemon: Daemon | undefined;
    let reloadRequested = false;
    let stopSignal: SignalName | undefined;
    let onStopSignal: ((signal: SignalName) => void) | undefined;
    const reload = (reason: string) => {
      if (!daemon) {
        reloadRequested = true;
        return;
      }
      try {
        daemon.reload(load());
      } catch (error) {
        logger.error(
          { reason, error: error instanceof Error ? error.message : String(error) },
          "the new watchlist was rejected; the old one stays in force",
        );
      }
    };
    const stopOn = (signal: SignalName) => () => {
      if (onStopSignal) onStopSignal(signal);
      else stopSignal ??= signal;
    };
    cleanups.push(io.onSignal("SIGHUP", () => reload("SIGHUP")));
    cleanups.push(io.onSignal("SIGTERM", stopOn("SIGTERM")));
    cleanups.push(io.onSignal("SIGINT", stopOn("SIGINT")));

    try {
      const config = load();
      // Before anything is opened: a listener open to the network without a token is exit 2.
      const httpToken = listen ? resolveHttpToken(listen, io.env, config.httpTokenEnv) : undefined;
      const daemonOptions = {
        config,
        logger,
        env: io.env,
        ...(listen ? { listen } : {}),
        ...(httpToken ? { httpToken } : {}),
      };
      // PostgreSQL (contract §10): any number of instances, one leads; SQLite: this one alone.
      // Loaded only then, so that the SQLite path never pays for loading the pg driver at start-up.
      daemon = config.postgres
        ? await (await import("../../postgres/ha-daemon.js")).startHaDaemon({
            ...daemonOptions,
            config: { ...config, postgres: config.postgres },
          })
        : await startDaemon(daemonOptions);
    } catch (error) {
      for (const cleanup of cleanups) cleanup();
      throw error;
    }
    const running = daemon;
    if (reloadRequested) reload("SIGHUP during start-up");
    cleanups.push(
      watchForChanges(watchlistPath(global, io).path, logger, () => reload("watchlist file changed")),
    );
    // The scheduler's timers do not hold the process open; the daemon itself does, until it stops.
    const keepAlive = setInterval(() => {}, 1 << 30);
    cleanups.push(() => clearInterval(keepAlive));

    const code = await new Promise<number>((resolve) => {
      let stopping = false;
      onStopSignal = (signal) => {
        if (stopping) {
          // A second signal: the operator wants out now.
          logger.warn({ signal }, "second signal: exiting at once");
          resolve(signal === "SIGINT" ? EXIT.SIGINT : EXIT.SIGTERM);
          return;
        }
        stopping = true;
        logger.info({ signal, timeoutMs: shutdownMs }, "stopping");
        // stop() bounds polls and deliveries; this bounds everything else (a stuck socket, a
        // stalled stdout), so a stop always ends within the promised time.
        const hardStop = setTimeout(() => {
          logger.error({ timeoutMs: shutdownMs }, "shutdown did not finish in time; exiting anyway");
          resolve(EXIT.FAILURE);
        }, shutdownMs + 1_000);
        cleanups.push(() => clearTimeout(hardStop));
        running.stop(shutdownMs).then(
          () => resolve(EXIT.OK),
          (error: unknown) => {
            logger.error({ err: error }, "shutdown failed");
            resolve(EXIT.FAILURE);
          },
        );
      };
      if (stopSignal) onStopSignal(stopSignal);
    });
    for (const cleanup of cleanups) cleanup();
    logger.flush();
    return code;
  },
});
