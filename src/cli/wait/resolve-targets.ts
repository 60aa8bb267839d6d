import type { ResolvedConfig, Secret, WatchedSession } from "../../config/types.js";
import { ConfigError, formatIssue } from "../../errors/config-error.js";
import { UsageError } from "../../errors/usage-error.js";
import type { WaitTarget } from "../../wait/types.js";
import type { ParsedTarget } from "./parse-target.js";

export interface ResolveTargetsOptions {
  /** `--workspace`: wins over the watchlist and the environment. */
  workspace: string | undefined;
}

/**
 * Workspace and key for each command-line target. A session the watchlist lists brings its own
 * workspace and key; any other uses the defaults (INTUNED_WORKSPACE_ID / api.workspaceId and the
 * default key). `--workspace` overrides the workspace, and picks the watchlist entry in that workspace.
 */
export function resolveWaitTargets(
  parsed: readonly ParsedTarget[],
  config: ResolvedConfig,
  options: ResolveTargetsOptions,
): WaitTarget[] {
  return parsed.map((target) => {
    const name = `${target.projectName}/${target.authSessionId}`;
    const listed = findListed(config.sessions, target, options.workspace, config.workspaceId);
    const workspaceId = options.workspace ?? listed?.session.workspaceId ?? config.workspaceId;
    if (workspaceId === undefined) {
      throw new ConfigError("wait", [
        { path: "", message: `no workspace for ${name}: pass --workspace ID or set INTUNED_WORKSPACE_ID` },
      ]);
    }
    const apiKey: Secret | undefined = listed ? listed.session.apiKey : config.apiKey;
    if (apiKey === undefined) {
      throw new ConfigError("wait", [
        { path: "", message: `no API key for ${name}: ${explainMissingKey(config, listed?.index)}` },
      ]);
    }
    return { workspaceId, projectName: target.projectName, authSessionId: target.authSessionId, apiKey };
  });
}

/**
 * The watchlist entry for a target. With `--workspace` only an entry in that workspace counts; without,
 * one entry is taken as it is, and among several the default workspace decides.
 */
function findListed(
  sessions: readonly WatchedSession[],
  target: ParsedTarget,
  flagWorkspace: string | undefined,
  defaultWorkspace: string | undefined,
): { session: WatchedSession; index: number } | undefined {
  const sameWorkspace = (session: WatchedSession, workspace: string | undefined) =>
    session.workspaceId.toLowerCase() === workspace?.toLowerCase();
  const matches = sessions.flatMap((session, index) =>
    session.projectName === target.projectName &&
    session.authSessionId === target.authSessionId &&
    (flagWorkspace === undefined || sameWorkspace(session, flagWorkspace))
      ? [{ session, index }]
      : [],
  );
  if (matches.length <= 1) return matches[0];
  const chosen = matches.find((match) => sameWorkspace(match.session, defaultWorkspace));
  if (chosen) return chosen;
  throw new UsageError(
    `${target.projectName}/${target.authSessionId} is in the watchlist under ${matches.length} workspaces: pass --workspace ID to pick one`,
  );
}

/**
 * Which variable or file to provide: the session's own key when the watchlist gives it one, else
 * the default key, as resolution recorded it.
 */
function explainMissingKey(config: ResolvedConfig, sessionIndex: number | undefined): string {
  const own = config.secretProblems.find(
    ({ use }) => use.kind === "session-api-key" && use.session === sessionIndex,
  );
  const problem = own ?? config.secretProblems.find(({ use }) => use.kind === "default-api-key");
  return problem
    ? `${formatIssue(problem)}; set it to the Intuned API key`
    : "set INTUNED_API_KEY to the Intuned API key";
}
