import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AuthwatchError, EXIT } from "../errors/authwatch-error.js";
import { UsageError } from "../errors/usage-error.js";
import type { DaemonMetrics } from "./metrics.js";

export interface StatusEndpoints {
  /** 200 while the scheduler runs and the store is writable. */
  healthy(): { ok: boolean; reason?: string };
  sessions(): unknown;
  metrics: DaemonMetrics;
}

/** Parses `--listen HOST:PORT` (or `PORT`, which means 127.0.0.1:PORT). */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) {
    throw new UsageError(`--listen "${value}" is not HOST:PORT; use e.g. 127.0.0.1:9464`);
  }
  return { host: (match[1] ?? "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}

/** Serves /healthz, /metrics and /sessions. */
export async function startStatusServer(
  listen: { host: string; port: number },
  endpoints: StatusEndpoints,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") {
      send(405, "text/plain", "method not allowed\n");
      return;
    }
    if (path === "/healthz") {
      const health = endpoints.healthy();
      send(health.ok ? 200 : 503, "application/json", JSON.stringify(health) + "\n");
    } else if (path === "/metrics") {
      endpoints.metrics.registry.metrics().then(
        (text) => send(200, endpoints.metrics.registry.contentType, text),
        (error: unknown) => send(500, "text/plain", `${String(error)}\n`),
      );
    } else if (path === "/sessions") {
      send(200, "application/json", JSON.stringify(endpoints.sessions()) + "\n");
    } else {
      send(404, "text/plain", "not found: try /healthz, /metrics or /sessions\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = `${listen.host}:${listen.port}`;
      const reason =
        error.code === "EADDRINUSE"
          ? "the address is already in use; choose another port or stop what listens there"
          : error.code === "EADDRNOTAVAIL"
            ? "no interface has that address; use 127.0.0.1 or an address of this machine"
            : error.code === "EACCES"
              ? "permission denied; use a port above 1023"
              : error.message;
      reject(
        new AuthwatchError("USAGE", `--listen ${where}: ${reason}`, { exitCode: EXIT.USAGE, cause: error }),
      );
    });
    server.listen(listen.port, listen.host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
