import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadWatchlist } from "../config/load.js";
import { type ResolveFlags, resolveConfig } from "../config/resolve.js";
import type { SecretNeeds } from "../config/secret-problems.js";
import type { ResolvedConfig } from "../config/types.js";
import type { CommandIO, GlobalOptions } from "./command-io.js";

export interface LoadConfigOptions {
  /** The secrets the command uses; one that cannot be read is a config error (exit 2). */
  needs: SecretNeeds;
  /** Fail when there is no watchlist file (watch, check, status); otherwise fall back to the environment. */
  requireWatchlist: boolean;
  /** The command's own flags that beat the environment and the watchlist (`--state` is global). */
  flags?: Omit<ResolveFlags, "statePath">;
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
  const flags: ResolveFlags = { ...options.flags, statePath: global.state };
  if (!explicit && !options.requireWatchlist && !existsSync(path)) {
    return resolveConfig(undefined, { env: io.env, requireSecrets: options.needs, cwd: io.cwd, flags });
  }
  return loadWatchlist(path, io.env, { requireSecrets: options.needs, cwd: io.cwd, flags });
}
