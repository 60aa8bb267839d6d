import type { SessionRef } from "../types.js";

/** The same prefix as the real API, so a client's base URL handling is exercised as in production. */
export const FAKE_API_PREFIX = "/api/v1/workspace";
/** Counters as JSON, for benchmarks that run the fake in another process. */
export const FAKE_STATS_PATH = "/_fake/stats";

/** `/api/v1/workspace/{ws}/projects/{project}/auth-sessions/{id}` with each segment decoded. */
export function parseSessionPath(path: string): SessionRef | null {
  if (!path.startsWith(`${FAKE_API_PREFIX}/`)) return null;
  const parts = path.slice(FAKE_API_PREFIX.length + 1).split("/");
  const [workspace, projects, project, authSessions, id] = parts;
  if (parts.length !== 5 || projects !== "projects" || authSessions !== "auth-sessions") return null;
  if (!workspace || !project || !id) return null;
  try {
    return {
      workspaceId: decodeURIComponent(workspace),
      projectName: decodeURIComponent(project),
      authSessionId: decodeURIComponent(id),
    };
  } catch {
    return null;
  }
}

/** A project as the list endpoint names it. */
export interface ProjectRef {
  workspaceId: string;
  projectName: string;
}

/** `/api/v1/workspace/{ws}/projects/{project}/auth-sessions` (the list endpoint) with each segment decoded. */
export function parseProjectPath(path: string): ProjectRef | null {
  if (!path.startsWith(`${FAKE_API_PREFIX}/`)) return null;
  const parts = path.slice(FAKE_API_PREFIX.length + 1).split("/");
  const [workspace, projects, project, authSessions] = parts;
  if (parts.length !== 4 || projects !== "projects" || authSessions !== "auth-sessions") return null;
  if (!workspace || !project) return null;
  try {
    return { workspaceId: decodeURIComponent(workspace), projectName: decodeURIComponent(project) };
  } catch {
    return null;
  }
}
