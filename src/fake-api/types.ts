import type { SessionRef } from "../types.js";

/** Optional fields admit `undefined` so JSON-parsed configs (main.ts) fit without copying. */

/** One stretch of a scripted session: `status` for `forMs`, or for ever when `forMs` is absent. */
export interface TimelineStep {
  /** Any API status (unknown ones too), or "NOT_FOUND" to answer 404. */
  status: string;
  forMs?: number | undefined;
}

export interface FakeSession extends SessionRef {
  /** Default "CREDENTIALS". */
  type?: string | undefined;
  /** Default: READY for ever. */
  timeline?: TimelineStep[] | undefined;
  /** Start over after the last step; every step then needs a `forMs`. */
  loop?: boolean | undefined;
  /** Start as if the timeline had already run this long (spreads many sessions' changes apart). */
  offsetMs?: number | undefined;
}

/** What a fault does to a request it applies to. */
export type FaultAction =
  /** Wait before the headers (default) or between headers and body. */
  | { kind: "latency"; ms: number; stage?: "headers" | "body" | undefined }
  /** Answer this HTTP status instead (5xx, 429 with `retryAfter`, 403, …). */
  | { kind: "status"; status: number; retryAfter?: string | number | undefined }
  /** Destroy the socket without answering. */
  | { kind: "reset" }
  /** A 200 whose body is not JSON. */
  | { kind: "malformedJson" }
  /** A 200 whose JSON is not the AuthSession shape (default: `status` missing). */
  | { kind: "wrongShape"; body?: unknown }
  /** A 200 with a status the spec does not list (default "SUSPENDED"). */
  | { kind: "unknownStatus"; status?: string | undefined }
  /** A 200 naming another session id (default `<id>-other`). */
  | { kind: "differentId"; id?: string | undefined };

/**
 * A fault and when it applies. Without `session` it hits every request; `count` and the window
 * (`afterMs`/`forMs`, measured from injection) limit it further. Of the faults injected, the first that
 * applies in each group wins: one latency, one of status/reset, one body change.
 */
export type FaultSpec = FaultAction & {
  session?: SessionRef | undefined;
  /** Only requests about this project: its list and the GETs of its sessions. */
  project?: { workspaceId: string; projectName: string } | undefined;
  count?: number | undefined;
  afterMs?: number | undefined;
  forMs?: number | undefined;
};

export interface FaultHandle {
  /** Requests the fault has changed so far. */
  readonly hits: number;
  remove(): void;
}

export interface FakeIntunedApiOptions {
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 0 (any free port). */
  port?: number | undefined;
  /** Keys the API accepts; any other (or none) gets 401. */
  apiKeys: string[];
  sessions?: FakeSession[] | undefined;
  /** Projects that exist without any session yet (their list is `[]`, not 404). */
  projects?: Array<{ workspaceId: string; projectName: string }> | undefined;
  faults?: FaultSpec[] | undefined;
  /** Entries kept in the request log, newest last; 0 keeps none (benchmarks). Default 1000. */
  requestLogLimit?: number | undefined;
  /** Time source for timelines, fault windows and the log. Default Date.now. */
  now?: (() => number) | undefined;
}

export interface RequestLogEntry {
  /** When the request arrived (`now()`). */
  at: number;
  /** Request path without the query. */
  path: string;
  /** get: one session's GET; list: a project's list; control: the control endpoint; other: anything else. */
  kind: "get" | "list" | "control" | "other";
  /** The session the path names; null for other paths. */
  ref: SessionRef | null;
  /** The project a GET or a list names; null for other paths. */
  project: { workspaceId: string; projectName: string } | null;
  /** Whether a valid key came with the request. The key itself is never kept. */
  keyValid: boolean;
  /** The status answered, "reset" when the socket was destroyed, "aborted" when the client left first. */
  status: number | "reset" | "aborted";
}

export interface FakeApiStats {
  requests: number;
  /** Count per answered status ("200", "404", "reset", …). */
  byStatus: Record<string, number>;
}

export interface FakeIntunedApi {
  /** Base URL for clients, e.g. `http://127.0.0.1:PORT/api/v1/workspace`. */
  readonly url: string;
  readonly port: number;
  addSession(session: FakeSession): void;
  removeSession(ref: SessionRef): void;
  /** Replaces the session's timeline with one status from now on; adds the session if missing. */
  setStatus(ref: SessionRef, status: string, type?: string): void;
  setTimeline(ref: SessionRef, steps: TimelineStep[], options?: { loop?: boolean; offsetMs?: number }): void;
  /** What the timeline says now ("NOT_FOUND" for an unknown session), faults aside. */
  statusOf(ref: SessionRef): string;
  /** Accept or refuse a key from now on (simulates rotation and revocation). */
  setKeyValid(key: string, valid: boolean): void;
  injectFault(fault: FaultSpec): FaultHandle;
  clearFaults(): void;
  /** The newest entries, oldest first, at most `requestLogLimit`. */
  requestLog(): RequestLogEntry[];
  /** Requests for one session so far and when the last one arrived. */
  requestsFor(ref: SessionRef): { count: number; lastAt: number | undefined };
  stats(): FakeApiStats;
  /** Resolves with the next request that matches, once it has been answered. */
  waitForRequest(match?: (entry: RequestLogEntry) => boolean, timeoutMs?: number): Promise<RequestLogEntry>;
  close(): Promise<void>;
}
