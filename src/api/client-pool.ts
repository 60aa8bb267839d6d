import type { Dispatcher } from "undici";
import type { ResolvedApi, Secret } from "../config/types.js";
import { createIntunedClient } from "./client.js";
import type { IntunedClient } from "./types.js";

/** One client per API key, all sharing one connection pool. */
export interface ClientPool {
  forKey(apiKey: Secret): IntunedClient;
}

export function createClientPool(api: ResolvedApi, options: { dispatcher?: Dispatcher } = {}): ClientPool {
  const clients = new Map<string, IntunedClient>();
  return {
    forKey(apiKey) {
      // Keyed by value as well as source: a reload may bring a rotated key under the same name.
      const id = `${apiKey.source}\u0000${apiKey.value}`;
      let client = clients.get(id);
      if (!client) {
        client = createIntunedClient({
          baseUrl: api.baseUrl,
          apiKey,
          timeoutMs: api.timeoutMs,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
        clients.set(id, client);
      }
      return client;
    },
  };
}
