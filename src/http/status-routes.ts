import type { Registry } from "prom-client";
import type { WatchedSession } from "../config/types.js";
import type { Logger } from "../logger.js";
import type { Awaitable, StatusChange } from "../store/state-store.js";
import type { SessionState } from "../types.js";
import type { EventFeed } from "./event-stream.js";
import { createEventStream } from "./event-stream.js";
import { sessionMetricLines } from "./session-metrics.js";
import { STATUS_PAGE_HTML } from "./status-page.js";
import type { Route } from "./status-server.js";
import { sendText } from "./status-server.js";
import { nextTurn, writeChunked } from "./write-chunked.js";

export interface SinkView {
  name: string;
  type: string;
  pending: number;
  dead: number;
  disabled: number;
  /** Why the receiver disabled it (HTTP 410), or null while it is enabled. */
  disabledReason: string | null;
}

/** Everything the HTTP endpoints read from the running daemon. */
export interface StatusSources {
  healthy(): { ok: boolean; reason?: string };
  /** The watched sessions now: a cheap snapshot of references, described lazily while streaming. */
  sessions(): readonly WatchedSession[];
  /** One entry of /sessions. */
  describe(session: WatchedSession): object;
  stateOf(key: string): SessionState | undefined;
  registry: Registry;
  events: EventFeed;
  statusChangesSince(since: number, page: { afterSeq?: number; limit: number }): Awaitable<StatusChange[]>;
  sinks(): Awaitable<SinkView[]>;
  now(): number;
  logger: Logger;
}

export const TIMELINE_DAYS = 7;
const CHANGES_PAGE = 2_000;

const sendJson = (response: Parameters<Route>[1], value: unknown) =>
  sendText(response, 200, `${JSON.stringify(value)}\n`, "application/json");

function startStream(response: Parameters<Route>[1], type: string) {
  response.writeHead(200, { "content-type": type, "cache-control": "no-store" });
}

/**
 * Answers a HEAD to a streamed route with the head a GET gets and no body, before any of the body's
 * work (50,000 sessions described only to be thrown away); true when it did.
 */
function answeredHead(request: Parameters<Route>[0], response: Parameters<Route>[1], type: string): boolean {
  if (request.method !== "HEAD") return false;
  startStream(response, type);
  response.end();
  return true;
}

const JSON_TYPE = "application/json; charset=utf-8";

function* sessionsJson(sources: StatusSources, snapshot: readonly WatchedSession[]): Generator<string> {
  yield '{"sessions":[';
  let first = true;
  for (const session of snapshot) {
    yield (first ? "" : ",") + JSON.stringify(sources.describe(session));
    first = false;
  }
  yield "]}\n";
}

type SessionTimeline = { start: string | null; changes: [number, string][] };

/** Adds one page of changes to the per-session timelines: the status at the window's start, then each change. */
function addChanges(bySession: Map<string, SessionTimeline>, changes: readonly StatusChange[]): void {
  for (const change of changes) {
    let entry = bySession.get(change.sessionKey);
    if (!entry) {
      entry = { start: change.from, changes: [] };
      bySession.set(change.sessionKey, entry);
    }
    entry.changes.push([change.at, change.to]);
  }
}

function* timelineJson(
  bySession: Map<string, SessionTimeline>,
  from: number,
  now: number,
): Generator<string> {
  yield `{"from":${from},"now":${now},"sessions":{`;
  let first = true;
  for (const [key, entry] of bySession) {
    yield `${first ? "" : ","}${JSON.stringify(key)}:${JSON.stringify(entry)}`;
    first = false;
  }
  yield "}}\n";
}

/** The routes of the status server: JSON and text for machines, `/` for people. */
export function createStatusRoutes(sources: StatusSources) {
  const events = createEventStream(sources.events, { logger: sources.logger });
  const routes: Record<string, Route> = {
    "/": (_request, response) => {
      response.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        // Nothing from elsewhere, ever: the page works offline and leaks nothing to third parties.
        "content-security-policy":
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      });
      response.end(STATUS_PAGE_HTML);
    },
    "/healthz": (_request, response) => {
      const health = sources.healthy();
      sendText(response, health.ok ? 200 : 503, `${JSON.stringify(health)}\n`, "application/json");
    },
    "/sessions": async (request, response) => {
      if (answeredHead(request, response, JSON_TYPE)) return;
      startStream(response, JSON_TYPE);
      await writeChunked(response, sessionsJson(sources, sources.sessions()));
    },
    "/metrics": async (request, response) => {
      if (answeredHead(request, response, sources.registry.contentType)) return;
      const head = await sources.registry.metrics();
      const snapshot = sources.sessions();
      startStream(response, sources.registry.contentType);
      await writeChunked(
        response,
        (function* () {
          yield head;
          yield* sessionMetricLines(snapshot, sources.stateOf);
        })(),
      );
    },
    "/events": events.handle,
    "/timeline": async (request, response) => {
      if (answeredHead(request, response, JSON_TYPE)) return;
      const now = sources.now();
      const from = now - TIMELINE_DAYS * 86_400_000;
      // Read and group in pages, a turn of the event loop each: 50,000 changes in one query held it for
      // 0.3 s, and grouping them all in one turn still held it for tens of ms.
      const bySession = new Map<string, SessionTimeline>();
      let afterSeq: number | undefined;
      for (;;) {
        const page = await sources.statusChangesSince(from, {
          limit: CHANGES_PAGE,
          ...(afterSeq === undefined ? {} : { afterSeq }),
        });
        addChanges(bySession, page);
        afterSeq = page[page.length - 1]?.seq ?? afterSeq;
        if (page.length < CHANGES_PAGE) break;
        await nextTurn();
      }
      startStream(response, JSON_TYPE);
      await writeChunked(response, timelineJson(bySession, from, now));
    },
    "/sinks": async (_request, response) => sendJson(response, { sinks: await sources.sinks() }),
  };
  return { routes, closeEventStreams: events.close, eventClients: events.clients };
}
