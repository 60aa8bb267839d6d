import type { AuthwatchEvent } from "../events.js";
import { isAlertEvent, isKeyEvent, isProjectEvent, isTransitionEvent } from "../events.js";

/** Every variable the command sink sets; inherited ones of these names are removed first. */
export const COMMAND_ENV_NAMES = [
  "AUTHWATCH_EVENT_TYPE",
  "AUTHWATCH_EVENT_ID",
  "AUTHWATCH_WORKSPACE_ID",
  "AUTHWATCH_PROJECT",
  "AUTHWATCH_SESSION_ID",
  "AUTHWATCH_FROM",
  "AUTHWATCH_TO",
  "AUTHWATCH_FAILURES",
  "AUTHWATCH_ERROR_CODE",
  "AUTHWATCH_ATTEMPT",
] as const;

/**
 * The child's environment: the parent's plus the event's facts, so simple scripts need no JSON parser.
 * Variables that do not apply to the event type are unset rather than inherited (authwatch itself may
 * run under a command sink). `AUTHWATCH_FROM` is empty, not unset, on a first observation so that
 * `set -u` scripts can read it.
 */
export function buildCommandEnv(
  parent: NodeJS.ProcessEnv,
  event: AuthwatchEvent,
  attempt: number,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of COMMAND_ENV_NAMES) delete env[name];
  env.AUTHWATCH_EVENT_TYPE = event.type;
  env.AUTHWATCH_EVENT_ID = event.data.eventId;
  env.AUTHWATCH_WORKSPACE_ID = event.data.workspaceId;
  env.AUTHWATCH_ATTEMPT = String(attempt);
  if (isKeyEvent(event)) {
    if (event.type === "watcher.unauthorized") env.AUTHWATCH_ERROR_CODE = event.data.error.code;
    return env;
  }
  env.AUTHWATCH_PROJECT = event.data.projectName;
  if (isProjectEvent(event)) {
    env.AUTHWATCH_FAILURES = String(event.data.failures);
    if (event.data.error) env.AUTHWATCH_ERROR_CODE = event.data.error.code;
    return env;
  }
  env.AUTHWATCH_SESSION_ID = event.data.authSessionId;
  if (isTransitionEvent(event)) {
    env.AUTHWATCH_FROM = event.data.from ?? "";
    env.AUTHWATCH_TO = event.data.to;
  } else if (!isAlertEvent(event)) {
    env.AUTHWATCH_FAILURES = String(event.data.failures);
    if (event.data.error) env.AUTHWATCH_ERROR_CODE = event.data.error.code;
  }
  return env;
}
