import { request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { systemClock } from "../../src/clock.js";
import type { AuthwatchEvent } from "../../src/events.js";
import { createEventStream, type EventFeed } from "../../src/http/event-stream.js";
import { listenStatusServer } from "../../src/http/status-server.js";
import { captureLog } from "../helpers/log-capture.js";
import { startStatusDaemon } from "../helpers/status-daemon.js";

interface Frame {
  id: string;
  event: AuthwatchEvent;
}

/** An SSE reader over a real connection: collects frames as they arrive. */
function readEvents(url: string, lastEventId?: string) {
  const frames: Frame[] = [];
  let buffer = "";
  let response: IncomingMessage | undefined;
  const request = httpRequest(
    url,
    { headers: lastEventId ? { "last-event-id": lastEventId } : {} },
    (res) => {
      response = res;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined)
            frames.push({ id, event: JSON.parse(data) as AuthwatchEvent });
          end = buffer.indexOf("\n\n");
        }
      });
    },
  );
  request.on("error", () => {});
  request.end();
  const close = () => {
    request.destroy();
    response?.destroy();
  };
  onTestFinished(close);
  return { frames, close, contentType: () => response?.headers["content-type"] };
}

const transitions = (frames: Frame[]) =>
  frames.map((f) =>
    "to" in f.event.data ? `${f.event.data.authSessionId}:${f.event.data.to}` : f.event.type,
  );

describe("/events", () => {
  it("streams every stored event with its eventId, and a reconnect with Last-Event-ID resumes without gap or repeat", async () => {
    const { api, url, ref, storedEventIds } = await startStatusDaemon({
      sessions: [{ project: "p", id: "sess-1", status: "READY" }],
    });
    await expect.poll(() => storedEventIds().length, { timeout: 10_000 }).toBe(1);

    const first = readEvents(`${url}/events`);
    await expect.poll(() => first.contentType()).toContain("text/event-stream");
    api.setStatus(ref("p", "sess-1"), "EXPIRED");
    await expect.poll(() => transitions(first.frames), { timeout: 10_000 }).toEqual(["sess-1:EXPIRED"]);
    const seen = first.frames[0]!;
    expect(seen.id).toBe(seen.event.data.eventId);
    first.close();

    // Two changes while nobody listens.
    api.setStatus(ref("p", "sess-1"), "PENDING");
    await expect.poll(() => storedEventIds().length, { timeout: 10_000 }).toBe(3);
    api.setStatus(ref("p", "sess-1"), "READY");
    await expect.poll(() => storedEventIds().length, { timeout: 10_000 }).toBe(4);

    const again = readEvents(`${url}/events`, seen.id);
    await expect
      .poll(() => transitions(again.frames), { timeout: 10_000 })
      .toEqual(["sess-1:PENDING", "sess-1:READY"]);
    api.setStatus(ref("p", "sess-1"), "EXPIRED");
    await expect
      .poll(() => transitions(again.frames), { timeout: 10_000 })
      .toEqual(["sess-1:PENDING", "sess-1:READY", "sess-1:EXPIRED"]);
    const stored = storedEventIds();
    expect(again.frames.map((f) => f.id)).toEqual(stored.slice(2));
  });
});

describe("a client that stops reading /events", () => {
  it("is dropped with a logged reason once it falls a bounded number of bytes behind", async () => {
    const listeners = new Set<(event: AuthwatchEvent) => void>();
    const feed: EventFeed = {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      eventsAfter: () => [],
    };
    const log = captureLog("info");
    const stream = createEventStream(feed, { logger: log.logger, maxBufferBytes: 256 * 1024 });
    const server = await listenStatusServer(
      { host: "127.0.0.1", port: 0 },
      { token: undefined, logger: log.logger, clock: systemClock },
    );
    onTestFinished(() => server.close());
    server.serve({ "/events": stream.handle });

    // A raw socket that sends the request and then never reads a byte.
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    onTestFinished(() => {
      socket.destroy();
    });
    socket.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    socket.pause();
    await expect.poll(() => stream.clients()).toBe(1);

    const padding = "x".repeat(2_000);
    let sent = 0;
    // Enough to fill the kernel's socket buffers and then the bounded one; stops as soon as it is dropped.
    while (stream.clients() > 0 && sent < 50_000) {
      for (let i = 0; i < 100; i++) {
        const event = {
          type: "watcher.unauthorized",
          timestamp: new Date().toISOString(),
          data: {
            eventId: `e-${sent++}`,
            workspaceId: padding,
            error: { code: "X", message: "m" },
            observedAt: "",
          },
        } as AuthwatchEvent;
        for (const listener of listeners) listener(event);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stream.clients()).toBe(0);
    expect(listeners.size).toBe(0);
    const dropped = log
      .lines()
      .find((line) => line.msg?.toString().startsWith("event stream client dropped"));
    expect(dropped?.reason).toBe("more than 262144 bytes unread");
  });
});
