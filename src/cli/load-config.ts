import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadWatchlist } from "../config/load.js";
import { resolveConfig } from "../config/resolve.js";
import type { ResolvedConfig } from "../config/types.js";
import type { CommandIO, GlobalOptions } from "./command-io.js";

export interface LoadConfigOptions {
  /** Fail when a named secret is missing (watch, check). */
  requireSecrets: boolean;
  /** Fail when there is no watchlist file (watch, check); otherwise fall back to the environment. */
  requireWatchlist: boolean;
}

/** The watchlist path by precedence: flag > AUTHWATCH_WATCHLIST > ./watchlist.json. */
export function watchlistPath(global: GlobalOptions, io: CommandIO): { path: string; explicit: boolean } {
  const given = global.watchlist ?? io.env.AUTHWATCH_WATCHLIST;
  return { path: resolve(io.cwd, given ?? "watchlist.json"), explicit: given !== undefined };
}

export function loadCommandConfig(
  global: GlobalOptions,
  io: CommandIO,
  options: LoadConfigOptions,
): ResolvedConfig {
  const { path, explicit } = watchlistPath(global, io);
  if (!explicit && !options.requireWatchlist && !existsSync(path)) {
    return resolveConfig(undefined, { env: io.env, requireSecrets: options.requireSecrets, cwd: io.cwd });
  }
  return loadWatchlist(path, io.env, { requireSecrets: options.requireSecrets });
}
