import type { Dispatcher } from "undici";
import { createIntunedClient } from "../api/client.js";
import type { IntunedClient } from "../api/types.js";
import type { Clock } from "../clock.js";
import type { Secret } from "../config/types.js";
import { ConfigError } from "../errors/config-error.js";
import { createRequestGate, type RequestGate } from "./request-gate.js";
import type { WaitTarget } from "./types.js";

export interface Connection {
  client: IntunedClient;
  /** Shared by every session on the same key. */
  gate: RequestGate;
}

export interface ConnectOptions {
  baseUrl: string;
  apiKey: string | Secret | undefined;
  requestTimeoutMs: number;
  dispatcher: Dispatcher | undefined;
  clock: Clock;
}

/** One client and one Retry-After gate per API key; every problem with the keys is reported at once. */
export function connectTargets(targets: readonly WaitTarget[], options: ConnectOptions): Connection[] {
  const byKey = new Map<string, Connection>();
  const missing = targets.flatMap((target, index) =>
    (target.apiKey ?? options.apiKey) === undefined
      ? [{ path: `sessions[${index}].apiKey`, message: "no API key: pass `apiKey` (or set INTUNED_API_KEY)" }]
      : [],
  );
  if (missing.length > 0) throw new ConfigError("waitForSession", missing);

  return targets.map((target) => {
    const apiKey = toSecret((target.apiKey ?? options.apiKey)!);
    let connection = byKey.get(apiKey.value);
    if (!connection) {
      connection = {
        client: createIntunedClient({
          baseUrl: options.baseUrl,
          apiKey,
          timeoutMs: options.requestTimeoutMs,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        }),
        gate: createRequestGate(options.clock),
      };
      byKey.set(apiKey.value, connection);
    }
    return connection;
  });
}

function toSecret(key: string | Secret): Secret {
  return typeof key === "string" ? { source: "the apiKey option", value: key } : key;
}
