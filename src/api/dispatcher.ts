import { Agent } from "undici";

export interface ApiDispatcherOptions {
  /** Connections per origin. Caps sockets to the API no matter how many polls are due at once. */
  connections?: number;
  /** How long an idle socket is kept for the next poll. */
  keepAliveTimeoutMs?: number;
  /**
   * Connect, headers and body timeouts of requests that set none of their own. The client always sets
   * headers/body per request; this keeps undici's 300 s defaults out of anything else using the pool.
   */
  timeoutMs?: number;
}

export const DEFAULT_CONNECTIONS = 16;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 10_000;
export const DEFAULT_DISPATCHER_TIMEOUT_MS = 10_000;

/** A keep-alive connection pool for the Intuned API, shared by every client that is given it. */
export function createApiDispatcher(options: ApiDispatcherOptions = {}): Agent {
  const timeout = options.timeoutMs ?? DEFAULT_DISPATCHER_TIMEOUT_MS;
  return new Agent({
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connect: { timeout },
  });
}

let shared: Agent | undefined;

/**
 * The module-wide pool used by clients created without a dispatcher. Created on first use so that
 * importing the client opens nothing; one pool means one connection cap for all API keys together.
 */
export function getDefaultDispatcher(): Agent {
  shared ??= createApiDispatcher();
  return shared;
}
