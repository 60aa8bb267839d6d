import { describeOverdue } from "../alerts/describe-overdue.js";
import type { ConsoleSinkConfig } from "../config/types.js";
import {
  type AuthwatchEvent,
  type EventType,
  isAlertEvent,
  isProjectEvent,
  isTransitionEvent,
} from "../events.js";
import type { Logger } from "../logger.js";
import type { Sink } from "./sink.js";

export interface ConsoleSinkDeps {
  logger: Logger;
}

/** Events someone may have to act on; the rest is good news or routine. */
const WARN_TYPES: ReadonlySet<EventType> = new Set([
  "authsession.expired",
  "authsession.not_found",
  "authsession.unknown_status",
  "authsession.poll_failing",
  "watcher.unauthorized",
  "project.poll_failing",
]);

/**
 * One log line per event, carrying the whole event body under `event`. Whether the line is JSON or
 * pretty is the logger's business. Writing cannot usefully be retried, hence not durable.
 */
export function createConsoleSink(config: ConsoleSinkConfig, deps: ConsoleSinkDeps): Sink {
  const logger = deps.logger.child({ sink: config.name });
  return {
    config,
    durable: false,
    async deliver(event) {
      try {
        const level = WARN_TYPES.has(event.type) ? "warn" : "info";
        logger[level]({ event }, describeEvent(event));
        return { kind: "delivered" };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          kind: "permanent",
          error: { code: "CONSOLE_FAILED", message: `could not write the log line: ${reason}` },
        };
      }
    },
  };
}

/** The line's message, e.g. `authsession.expired my-project/auth-session-123 READY → EXPIRED`. */
export function describeEvent(event: AuthwatchEvent): string {
  if (event.type === "watcher.unauthorized") {
    return `${event.type} workspace ${event.data.workspaceId}: ${event.data.error.message}`;
  }
  if (event.type === "watcher.authorized") {
    return `${event.type} workspace ${event.data.workspaceId}: ${event.data.keySource} is accepted again`;
  }
  if (isProjectEvent(event)) {
    const { projectName, failures, error } = event.data;
    const lists = `${failures} failed list request${failures === 1 ? "" : "s"}`;
    if (event.type === "project.poll_recovered")
      return `${event.type} ${projectName} listed again after ${lists}`;
    return `${event.type} ${projectName} after ${lists}${error ? `, last error ${error.code}: ${error.message}` : ""}`;
  }
  const session = `${event.data.projectName}/${event.data.authSessionId}`;
  if (isAlertEvent(event)) return `${event.type} ${session} ${describeOverdue(event)}`;
  if (isTransitionEvent(event)) {
    const { from, to } = event.data;
    return from === null
      ? `${event.type} ${session} → ${to} (first observation)`
      : `${event.type} ${session} ${from} → ${to}`;
  }
  const { failures, error } = event.data;
  const polls = `${failures} failed poll${failures === 1 ? "" : "s"}`;
  if (event.type === "authsession.poll_recovered")
    return `${event.type} ${session} polled again after ${polls}`;
  const last = error ? `, last error ${error.code}: ${error.message}` : "";
  return `${event.type} ${session} after ${polls}${last}`;
}
