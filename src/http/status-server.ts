import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../clock.js";
import { AuthwatchError, EXIT } from "../errors/authwatch-error.js";
import type { Logger } from "../logger.js";
import { checkCredentials } from "./check-credentials.js";
import type { ListenAddress } from "./listen-address.js";
import { createLoginLimiter } from "./login-limiter.js";

/** Answers one request; may be async (streamed bodies). */
export type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => void | Promise<void>;

export interface StatusServer {
  /** `http://host:port` as bound (port 0 resolved). */
  readonly url: string;
  /** Starts answering with these routes; until then every request gets 503 "starting". */
  serve(routes: Record<string, Route>): void;
  close(): Promise<void>;
}

export interface StatusServerOptions {
  /** When set, every path but /healthz requires it (Bearer, or the Basic password). */
  token: string | undefined;
  logger: Logger;
  clock: Clock;
}

/** Paths anyone who can reach the port may read: a load balancer's health check carries no token. */
const OPEN_PATHS = new Set(["/healthz"]);

export function sendText(response: ServerResponse, status: number, body: string, type = "text/plain"): void {
  response.writeHead(status, { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store" });
  response.end(body);
}

/**
 * Binds the listener first, then serves: the daemon binds before it opens its state file, so a
 * busy port fails the start before anything is created on disk.
 */
export async function listenStatusServer(
  listen: ListenAddress,
  options: StatusServerOptions,
): Promise<StatusServer> {
  const { token, logger } = options;
  const limiter = createLoginLimiter({ clock: options.clock });
  let routes: Record<string, Route> | undefined;

  const authorized = (request: IncomingMessage, response: ServerResponse, path: string): boolean => {
    if (token === undefined || OPEN_PATHS.has(path)) return true;
    const address = request.socket.remoteAddress ?? "unknown";
    const waitMs = limiter.waitMs(address);
    if (waitMs > 0) {
      response.setHeader("retry-after", String(Math.ceil(waitMs / 1000)));
      sendText(response, 429, "too many failed logins; try again later\n");
      return false;
    }
    const check = checkCredentials(request.headers.authorization, token);
    if (check === "ok") {
      limiter.succeeded(address);
      return true;
    }
    if (check === "wrong") {
      const failures = limiter.failed(address);
      // Who and where, never what was sent: a mistyped password is often another real password.
      logger.warn({ remote: address, path, failures }, "HTTP login failed: wrong credentials");
    }
    response.setHeader("www-authenticate", 'Basic realm="authwatch", charset="UTF-8"');
    sendText(response, 401, "authentication required: send the token as Bearer or as the Basic password\n");
    return false;
  };

  const server = createServer((request, response) => {
    // URL.parse, not new URL: a request line such as "GET http://[ HTTP/1.1" must not throw in here.
    const url = URL.parse(request.url ?? "/", "http://authwatch.invalid");
    if (!url) {
      sendText(response, 400, "bad request\n");
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      sendText(response, 405, "method not allowed\n");
      return;
    }
    if (!authorized(request, response, url.pathname)) return;
    if (!routes) {
      sendText(response, 503, '{"ok":false,"reason":"starting"}\n', "application/json");
      return;
    }
    const route = routes[url.pathname];
    if (!route) {
      sendText(response, 404, `not found: try ${Object.keys(routes).join(", ")}\n`);
      return;
    }
    const failed = (error: unknown) => {
      logger.error({ err: error, path: url.pathname }, "HTTP request failed");
      if (!response.headersSent) sendText(response, 500, "internal error\n");
      else response.destroy();
    };
    try {
      const result = route(request, response, url);
      if (result) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(listen, error)));
    server.listen(listen.port, listen.host, () => {
      server.removeAllListeners("error");
      server.on("error", (error) => logger.error({ err: error }, "HTTP server error"));
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    serve(next) {
      routes = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A busy port is exit 1: it is usually transient (the old process still shutting down), and a
 * service manager should retry; RestartPreventExitStatus=2 would turn exit 2 into a permanent failure.
 * An address no interface has, or a privileged port, will not fix itself: exit 2.
 */
function listenError(listen: ListenAddress, error: NodeJS.ErrnoException): AuthwatchError {
  const where = `--listen ${listen.host}:${listen.port}`;
  if (error.code === "EADDRINUSE") {
    return new AuthwatchError(
      "LISTEN_FAILED",
      `${where}: the address is already in use; choose another port or stop what listens there`,
      { exitCode: EXIT.FAILURE, cause: error },
    );
  }
  const reason =
    error.code === "EADDRNOTAVAIL"
      ? "no interface has that address; use 127.0.0.1 or an address of this machine"
      : error.code === "EACCES"
        ? "permission denied; use a port above 1023"
        : error.message;
  return new AuthwatchError("USAGE", `${where}: ${reason}`, { exitCode: EXIT.USAGE, cause: error });
}
