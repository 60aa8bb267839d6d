import { type AuthwatchEvent, isProjectEvent } from "../events.js";
import { type ErrorInfo, projectKey } from "../types.js";

/** What a list that was failing when the daemon stopped carried in its last project.poll_failing. */
export interface FailingProject {
  error: ErrorInfo | null;
  failures: number;
}

/**
 * Projects whose last list-health event is project.poll_failing, by projectKey, from stored event
 * bodies oldest first. Both stores read them the same way: project events are stored without a
 * session key, and there is one per outage, so folding all of them is cheap.
 */
export function failingProjectsOf(bodies: Iterable<string>): Map<string, FailingProject> {
  const failing = new Map<string, FailingProject>();
  for (const body of bodies) {
    const event = JSON.parse(body) as AuthwatchEvent;
    if (!isProjectEvent(event)) continue;
    const key = projectKey(event.data.workspaceId, event.data.projectName);
    if (event.type === "project.poll_failing") {
      failing.set(key, { error: event.data.error, failures: event.data.failures });
    } else {
      failing.delete(key);
    }
  }
  return failing;
}
