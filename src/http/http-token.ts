import { UsageError } from "../errors/usage-error.js";
import { isLoopbackHost, type ListenAddress } from "./listen-address.js";

/** The variable holding the HTTP token unless the watchlist's `http.tokenEnv` names another. */
export const DEFAULT_HTTP_TOKEN_ENV = "AUTHWATCH_HTTP_TOKEN";

/**
 * The token a non-loopback listener demands, or undefined on loopback (no authentication there).
 * Throws (exit 2) when the listener would be open to the network without one: better not to start
 * than to serve sessions and metrics to anyone who can reach the port.
 */
export function resolveHttpToken(
  listen: ListenAddress,
  env: NodeJS.ProcessEnv,
  tokenEnv: string = DEFAULT_HTTP_TOKEN_ENV,
): string | undefined {
  if (isLoopbackHost(listen.host)) return undefined;
  const token = env[tokenEnv]?.trim();
  if (token) return token;
  throw new UsageError(
    `--listen ${listen.host}:${listen.port} is reachable from other machines and ${tokenEnv} is not set — ` +
      `set ${tokenEnv} to a token that clients send (Bearer, or as the Basic password), or listen on 127.0.0.1`,
  );
}
