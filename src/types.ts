/**
 * Shared domain types. Runtime schemas live beside the code that validates them
 * (config/schema.ts, api/client.ts); this file holds the vocabulary every module speaks.
 */

/** Statuses the Intuned spec lists today. The API may add more; those are kept as-is. */
export const KNOWN_API_STATUSES = ["PENDING", "READY", "EXPIRED"] as const;
export type KnownApiStatus = (typeof KNOWN_API_STATUSES)[number];

/** authwatch's own state for a session whose API answered 404. */
export const NOT_FOUND = "NOT_FOUND";

/**
 * The state of a session: the last status the API gave, or NOT_FOUND.
 * `(string & {})` keeps autocompletion for the known values while admitting future ones.
 */
export type SessionStatus = KnownApiStatus | typeof NOT_FOUND | (string & {});

export type SessionType = "CREDENTIALS" | "RECORDER" | "RUNTIME" | (string & {});

export function isKnownStatus(status: string): status is KnownApiStatus | typeof NOT_FOUND {
  return status === NOT_FOUND || (KNOWN_API_STATUSES as readonly string[]).includes(status);
}

/** A workspace id (the spec's `format: uuid`), any version, either case. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The one spelling of a workspace id in state keys, events and requests: lower case. UUIDs are
 * case-insensitive, and a watchlist that changes case between restarts must not re-announce every
 * session as a first sighting.
 */
export function normalizeWorkspaceId(workspaceId: string): string {
  return workspaceId.toLowerCase();
}

/** Identifies one AuthSession across workspaces. */
export interface SessionRef {
  workspaceId: string;
  projectName: string;
  authSessionId: string;
}

/** A stable map key for a session: workspace, project and id joined by "/" (ids and projects have no "/"). */
export function sessionKey(ref: SessionRef): string {
  return `${ref.workspaceId}/${ref.projectName}/${ref.authSessionId}`;
}

/** A stable map key for a project: workspace and project joined by "/", like sessionKey without the id. */
export function projectKey(workspaceId: string, projectName: string): string {
  return `${workspaceId}/${projectName}`;
}

/** What one successful poll saw. A 404 is a successful poll with status NOT_FOUND. */
export interface Observation {
  status: SessionStatus;
  sessionType: SessionType | null;
  /** Epoch milliseconds when the response arrived. */
  observedAt: number;
}

/** The persisted state of one session. */
export interface SessionState {
  status: SessionStatus;
  sessionType: SessionType | null;
  /** Epoch milliseconds of the observation that entered this status. */
  since: number;
}

export interface ErrorInfo {
  code: string;
  message: string;
}
