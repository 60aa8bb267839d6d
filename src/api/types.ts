import type { Dispatcher } from "undici";
import type { Secret } from "../config/types.js";
import type { SessionRef, SessionStatus, SessionType } from "../types.js";

/** The 200 body of getAuthSession, validated. */
export interface AuthSessionRecord {
  id: string;
  type: SessionType;
  status: SessionStatus;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** A client for one (baseUrl, API key) pair. Many clients share one connection pool. */
export interface IntunedClient {
  /** The key's non-secret name (`env INTUNED_API_KEY`), for logs and per-key bookkeeping. */
  readonly keySource: string;
  /** Resolves with the session or rejects with an ApiError subclass (404 → NotFoundError). */
  getAuthSession(ref: SessionRef, options?: RequestOptions): Promise<AuthSessionRecord>;
  /**
   * Every AuthSession of a project in one request (no paging). A 404 (unknown workspace or project)
   * rejects with NotFoundError; an item that is not the AuthSession shape makes the whole body invalid.
   */
  listAuthSessions(
    workspaceId: string,
    projectName: string,
    options?: RequestOptions,
  ): Promise<AuthSessionRecord[]>;
}

export interface IntunedClientOptions {
  baseUrl: string;
  apiKey: Secret;
  /** Per request: headers and body each. */
  timeoutMs: number;
  /** The shared pool; tests may pass a MockAgent. Defaults to a module-wide capped Agent. */
  dispatcher?: Dispatcher;
}
