import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Webhook } from "standardwebhooks";
import type { AuthwatchEvent } from "../src/events.js";

export interface ReceivedWebhook {
  event: AuthwatchEvent;
  /** performance.now() when the whole body had arrived, before verifying. */
  receivedAt: number;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Requests whose signature the reference implementation rejected. */
  readonly rejected: number;
  close(): Promise<void>;
}

/**
 * A loopback receiver that holds a webhook once its whole body has arrived, then checks the signature
 * with the `standardwebhooks` reference library (not authwatch's own code) and answers 204. It runs in
 * the daemon's process so that both ends of a latency read the same monotonic clock.
 */
export async function startWebhookReceiver(
  secret: string,
  onWebhook: (webhook: ReceivedWebhook) => void,
): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const seen = new Set<string>();
  let rejected = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const receivedAt = performance.now();
      const body = Buffer.concat(chunks).toString("utf8");
      let event: AuthwatchEvent;
      try {
        event = verifier.verify(body, {
          "webhook-id": String(request.headers["webhook-id"]),
          "webhook-timestamp": String(request.headers["webhook-timestamp"]),
          "webhook-signature": String(request.headers["webhook-signature"]),
        }) as AuthwatchEvent;
      } catch {
        rejected++;
        response.writeHead(401).end();
        return;
      }
      response.writeHead(204).end();
      // At least once: a retry of a delivered event is not a second delivery.
      if (seen.has(event.data.eventId)) return;
      seen.add(event.data.eventId);
      onWebhook({ event, receivedAt });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/authwatch`,
    get rejected() {
      return rejected;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
