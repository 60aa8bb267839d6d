import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";

/** How long one turn may spend building a response before it lets other work run. */
export const TURN_BUDGET_MS = 8;
const CHUNK_BYTES = 64 * 1024;

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves when the socket takes more data, or when the client has gone. */
export function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

/**
 * Writes a large body made of many small parts without holding the event loop: parts are built
 * lazily, sent in chunks, and after each chunk the writer yields (setImmediate) so polls, deliveries
 * and other requests run in between. It also waits for a slow reader (backpressure) instead of
 * buffering the whole body in memory, and stops when the client goes away.
 */
export async function writeChunked(response: ServerResponse, parts: Iterable<string>): Promise<void> {
  let chunk = "";
  let turnStarted = performance.now();
  for (const part of parts) {
    chunk += part;
    if (chunk.length < CHUNK_BYTES && performance.now() - turnStarted < TURN_BUDGET_MS) continue;
    if (response.destroyed) return;
    const more = response.write(chunk);
    chunk = "";
    // Both: 'drain' can come in the same turn (from a nextTick when the kernel took the data at once),
    // so waiting for it alone may never let timers and other sockets run.
    if (!more) await drained(response);
    await nextTurn();
    turnStarted = performance.now();
  }
  if (!response.destroyed) response.end(chunk);
}
