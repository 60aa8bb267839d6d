import { isIP } from "node:net";
import { UsageError } from "../errors/usage-error.js";

export interface ListenAddress {
  host: string;
  port: number;
}

/** The variable that sets the listen address when `--listen` is not given. */
export const LISTEN_ENV = "AUTHWATCH_LISTEN";

/** Parses `HOST:PORT` (or `PORT`, which means 127.0.0.1:PORT); `source` names it in the error. */
export function parseListen(value: string, source = "--listen"): ListenAddress {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535) {
    throw new UsageError(`${source} "${value}" is not HOST:PORT; use e.g. 127.0.0.1:9464`);
  }
  return { host: (match[1] ?? "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}

/**
 * True when only this machine can reach the address. Anything else (0.0.0.0, ::, a LAN address,
 * a host name other than localhost) may be reachable from outside, so it needs the token.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^::ffff:/, "");
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1";
}
