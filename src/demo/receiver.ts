import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthwatchEvent } from "../events.js";
import { verifyWebhookSignature } from "../sinks/verify.js";

export interface ReceivedWebhook {
  id: string;
  event: AuthwatchEvent;
  verified: boolean;
  reason?: string;
}

export interface DemoReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests refused on purpose to show a retry. */
  refused: number;
  close(): Promise<void>;
}

/**
 * A webhook receiver as a user would write one: it verifies every signature and answers 204.
 * The first `refuseFirst` requests get a 503, so the demo shows authwatch retrying.
 */
export async function startDemoReceiver(options: {
  secret: Uint8Array;
  refuseFirst: number;
  onWebhook(webhook: ReceivedWebhook): void;
  onRefused(id: string): void;
}): Promise<DemoReceiver> {
  const received: ReceivedWebhook[] = [];
  const state = { refused: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const id = String(request.headers["webhook-id"] ?? "");
      if (state.refused < options.refuseFirst) {
        state.refused++;
        options.onRefused(id);
        response.writeHead(503, { "retry-after": "1" }).end();
        return;
      }
      const check = verifyWebhookSignature({ headers: request.headers, body, secret: options.secret });
      const webhook: ReceivedWebhook = check.ok
        ? { id, event: JSON.parse(body) as AuthwatchEvent, verified: true }
        : { id, event: JSON.parse(body) as AuthwatchEvent, verified: false, reason: check.reason };
      // Deliveries are at least once: a receiver deduplicates on webhook-id.
      if (!received.some((seen) => seen.id === id)) {
        received.push(webhook);
        options.onWebhook(webhook);
      }
      response.writeHead(check.ok ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/authwatch`,
    received,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
