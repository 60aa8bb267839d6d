import type { ClientPool } from "../api/client-pool.js";
import type { Secret } from "../config/types.js";
import { toErrorInfo } from "../errors/to-error-info.js";
import type { IdFilter } from "../projects/id-filter.js";
import { PROJECT_TARGET_ID } from "../projects/project-watch.js";
import type { SessionStatusRow } from "./status.js";

/** A project `status` lists: from a `projects` entry (with its filter) or `--project` (every session). */
export interface ProjectQuery {
  workspaceId: string;
  projectName: string;
  apiKey: Secret | undefined;
  filter?: IdFilter | undefined;
}

/**
 * One list request per project, one row per session it returns (sorted by id). A list that fails is
 * one row for the whole project, with `*` as its session id and the error.
 */
export async function listProjectRows(query: ProjectQuery, pool: ClientPool): Promise<SessionStatusRow[]> {
  const base = { workspaceId: query.workspaceId, projectName: query.projectName, since: null };
  if (!query.apiKey) {
    const error = { code: "CONFIG_INVALID", message: "no API key: set INTUNED_API_KEY or apiKeyEnv" };
    return [{ ...base, authSessionId: PROJECT_TARGET_ID, status: null, sessionType: null, error }];
  }
  try {
    const records = await pool.forKey(query.apiKey).listAuthSessions(query.workspaceId, query.projectName);
    return records
      .filter((record) => query.filter?.(record.id) ?? true)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((record) => ({
        ...base,
        authSessionId: record.id,
        status: record.status,
        sessionType: record.type,
        error: null,
      }));
  } catch (error) {
    return [
      {
        ...base,
        authSessionId: PROJECT_TARGET_ID,
        status: null,
        sessionType: null,
        error: toErrorInfo(error),
      },
    ];
  }
}
