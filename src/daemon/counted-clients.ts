import type { ClientPool } from "../api/client-pool.js";
import { NotFoundError } from "../api/errors.js";
import type { IntunedClient } from "../api/types.js";
import { toErrorInfo } from "../errors/to-error-info.js";

type Count = (kind: "get" | "list", result: string) => void;

/**
 * The pool's clients, each request counted by kind and result for `authwatch_api_requests_total`.
 * A caller's abort (shutdown) is not a request result and is not counted.
 */
export function countedClients(pool: ClientPool, count: Count): ClientPool {
  const wrapped = new WeakMap<IntunedClient, IntunedClient>();
  return {
    forKey(apiKey) {
      const client = pool.forKey(apiKey);
      let counted = wrapped.get(client);
      if (!counted) {
        counted = {
          keySource: client.keySource,
          getAuthSession: (ref, options) =>
            counting("get", client.getAuthSession(ref, options), options?.signal),
          listAuthSessions: (workspaceId, projectName, options) =>
            counting("list", client.listAuthSessions(workspaceId, projectName, options), options?.signal),
        };
        wrapped.set(client, counted);
      }
      return counted;
    },
  };

  async function counting<T>(kind: "get" | "list", request: Promise<T>, signal: AbortSignal | undefined) {
    try {
      const result = await request;
      count(kind, "ok");
      return result;
    } catch (error) {
      if (!signal?.aborted)
        count(kind, error instanceof NotFoundError ? "not_found" : toErrorInfo(error).code.toLowerCase());
      throw error;
    }
  }
}
