import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthwatchEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { Awaitable } from "../store/state-store.js";
import type { StoredEvent } from "../store/types.js";
import { drained, nextTurn } from "./write-chunked.js";

export interface EventFeed {
  /** Calls `listener` for every event once it is stored; returns the unsubscribe function. */
  subscribe(listener: (event: AuthwatchEvent) => void): () => void;
  eventsAfter(eventId: string, limit: number): Awaitable<StoredEvent[] | undefined>;
}

export interface EventStreamOptions {
  logger: Logger;
  /** Bytes a client may fall behind before it is dropped (it reconnects with Last-Event-ID). */
  maxBufferBytes?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
}

const REPLAY_PAGE = 500;
const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;
const DEFAULT_HEARTBEAT_MS = 15_000;

/** The head of the stream; a HEAD request gets it too, then an empty body at once. */
const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
};

const frame = (event: AuthwatchEvent) => `id: ${event.data.eventId}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * GET /events: Server-Sent Events of every event as it is stored. With `Last-Event-ID` (sent by
 * browsers on reconnect) the stored events after that one come first, then the live stream, with no
 * gap and no repeat. A client that stops reading is dropped once it is `maxBufferBytes` behind,
 * so one stuck client never grows the daemon's memory.
 */
export function createEventStream(feed: EventFeed, options: EventStreamOptions) {
  const maxBuffer = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const clients = new Set<ServerResponse>();

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    // A HEAD asks whether the stream is there (a monitor, `curl -I`): answering it as a stream would
    // hold it open forever, with no body to send.
    if (request.method === "HEAD") {
      response.writeHead(200, STREAM_HEADERS).end();
      return;
    }
    const remote = request.socket.remoteAddress;
    let closed = false;
    // Live events wait here while stored ones are replayed; bytes counted so replay cannot grow it unbounded.
    let pending: { eventId: string; text: string }[] | undefined = [];
    let pendingBytes = 0;

    const drop = (reason: string) => {
      if (closed) return;
      options.logger.warn(
        { remote, reason },
        "event stream client dropped; it may reconnect with Last-Event-ID",
      );
      closed = true;
      response.destroy();
    };
    const send = (text: string) => {
      if (closed) return true;
      const more = response.write(text);
      if (response.writableLength > maxBuffer) drop(`more than ${maxBuffer} bytes unread`);
      return more;
    };
    const unsubscribe = feed.subscribe((event) => {
      if (!pending) {
        send(frame(event));
        return;
      }
      const text = frame(event);
      pending.push({ eventId: event.data.eventId, text });
      pendingBytes += text.length;
      if (pendingBytes > maxBuffer)
        drop(`more than ${maxBuffer} bytes of live events queued behind the replay`);
    });
    const heartbeat = setInterval(() => send(": keep-alive\n\n"), heartbeatMs);
    heartbeat.unref();
    clients.add(response);
    response.on("close", () => {
      closed = true;
      clients.delete(response);
      clearInterval(heartbeat);
      unsubscribe();
    });

    response.writeHead(200, STREAM_HEADERS);
    send("retry: 2000\n\n");

    const lastId = request.headers["last-event-id"] ?? url.searchParams.get("lastEventId") ?? undefined;
    const replayed = new Set<string>();
    if (typeof lastId === "string" && lastId !== "") {
      let cursor = lastId;
      for (;;) {
        const page = await feed.eventsAfter(cursor, REPLAY_PAGE);
        if (!page) {
          send(
            `: unknown Last-Event-ID ${JSON.stringify(cursor)} (pruned or never stored); live events only\n\n`,
          );
          break;
        }
        let more = true;
        for (const { eventId, event } of page) {
          replayed.add(eventId);
          more = send(frame(event));
        }
        const last = page[page.length - 1];
        if (!last || page.length < REPLAY_PAGE || closed) break;
        cursor = last.eventId;
        if (!more) await drained(response);
        await nextTurn();
      }
    }
    const queued = pending;
    pending = undefined;
    for (const { eventId, text } of queued) if (!replayed.has(eventId)) send(text);
  }

  return {
    handle,
    /** Open streams (for tests and shutdown). */
    clients: () => clients.size,
    close() {
      for (const client of clients) client.end();
    },
  };
}
