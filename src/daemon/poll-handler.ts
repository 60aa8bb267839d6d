import type { ClientPool } from "../api/client-pool.js";
import { RateLimitedError, UnauthorizedError } from "../api/errors.js";
import { pollSession } from "../api/poll.js";
import type { Clock } from "../clock.js";
import type { WatchedSession } from "../config/types.js";
import { toErrorInfo } from "../errors/to-error-info.js";
import { newEventId as newEventIdAt } from "../event-id.js";
import type { AuthorizedEvent, AuthwatchEvent, PollHealthEvent, UnauthorizedEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { HEALTHY, type PollHealth, recordFailure, recordSuccess } from "../poll-health.js";
import type { PollReport } from "../scheduler/scheduler.js";
import { transition } from "../transition.js";
import { type ErrorInfo, isKnownStatus, type SessionState } from "../types.js";
import type { EventPipeline } from "./event-pipeline.js";
import type { DaemonMetrics } from "./metrics.js";

export interface PollHandlerDeps {
  clock: Clock;
  logger: Logger;
  clients: ClientPool;
  /** Where changes and events go: stored, then fanned out. */
  pipeline: EventPipeline;
  /** States loaded from the store at start; the poll handler keeps them current. */
  states: Map<string, SessionState>;
  /** Sessions that were failing when the daemon last stopped (poll_failing without poll_recovered). */
  failing?: ReadonlyMap<string, { error: ErrorInfo | null; failures: number }>;
  /** Key sources refused when the daemon last stopped: their acceptance is announced (watcher.authorized). */
  refusedKeys?: ReadonlySet<string>;
  metrics?: DaemonMetrics;
  newEventId?: () => string;
  /** How long a refused key waits before it is tried again (a rotated key recovers by itself). */
  unauthorizedRetryMs?: number;
  /**
   * Log each transition as an operational line. Off when a console sink already prints every event,
   * so the journal does not show each change twice.
   */
  logTransitions: boolean;
}

export interface PollHandler {
  /** One poll of one session: the scheduler calls this and schedules the next from the report. */
  poll(session: WatchedSession, signal: AbortSignal): Promise<PollReport>;
  healthOf(key: string): PollHealth;
  /** Epoch ms when the last poll of the session finished (answered or failed); undefined before one. */
  lastPollAt(key: string): number | undefined;
  forget(key: string): void;
  setLogTransitions(on: boolean): void;
  /**
   * A 401/403 of a request that is no one session's poll (a project's list): the key's pause and
   * watcher.unauthorized once per key, exactly as for a session.
   */
  keyRefused(session: WatchedSession, error: UnauthorizedError, startedAt: number): PollReport;
  /** A request with this key succeeded: a refused key is accepted again. */
  keyAccepted(session: WatchedSession): void;
  /** "UNAUTHORIZED" while the session's key is refused (401) or refused for its workspace/project (403). */
  refusedFor(session: WatchedSession): "UNAUTHORIZED" | null;
}

const DEFAULT_UNAUTHORIZED_RETRY_MS = 60_000;

/**
 * The edge between the scheduler and the pure state machine: polls, feeds `transition`, hands
 * changes to the event pipeline (which stores them with their outbox rows, then fans them out), and
 * turns failures into backoff hints and health events.
 */
export function createPollHandler(deps: PollHandlerDeps): PollHandler {
  const { clock, logger, pipeline, states } = deps;
  const newEventId = deps.newEventId ?? (() => newEventIdAt(clock.now()));
  // Only failing sessions have an entry: healthy ones cost nothing.
  const health = new Map<string, PollHealth>();
  // For the status page's "last poll": one number per session, set on every poll.
  const lastPolls = new Map<string, number>();
  // A poll_failing that went out before a restart is closed by a poll_recovered, never repeated.
  for (const [key, { error, failures }] of deps.failing ?? [])
    health.set(key, { failures, failing: true, lastError: error });
  const refusedKeys = new Set<string>(deps.refusedKeys);
  /** (key, workspace, project) scopes refused with 403; each session there waits on its own. */
  const forbiddenScopes = new Set<string>();
  const forbiddenScopeOf = (session: WatchedSession) =>
    `${session.apiKey?.source ?? "default"}\u0000${session.workspaceId}\u0000${session.projectName}`;
  const idMismatchWarned = new Set<string>();
  let logTransitions = deps.logTransitions;
  // Checked once: building a log object per poll costs even when the line is dropped.
  const debugEnabled = logger.isLevelEnabled("debug");

  const baseHealthData = (session: WatchedSession) => ({
    eventId: newEventId(),
    workspaceId: session.workspaceId,
    projectName: session.projectName,
    authSessionId: session.authSessionId,
    sessionType: states.get(session.key)?.sessionType ?? null,
    observedAt: new Date(clock.now()).toISOString(),
    labels: session.labels,
  });

  const unauthorizedEvent = (
    session: WatchedSession,
    keySource: string,
    info: ErrorInfo,
  ): UnauthorizedEvent => ({
    type: "watcher.unauthorized",
    timestamp: new Date(clock.now()).toISOString(),
    data: {
      eventId: newEventId(),
      workspaceId: session.workspaceId,
      keySource,
      error: info,
      observedAt: new Date(clock.now()).toISOString(),
    },
  });

  function onFailure(session: WatchedSession, error: unknown, startedAt: number): PollReport {
    lastPolls.set(session.key, clock.now());
    const info = toErrorInfo(error);
    deps.metrics?.pollFinished(info.code.toLowerCase(), (clock.monotonic() - startedAt) / 1000);

    // A 403 is about this key's access to one workspace or project (a typo'd workspace, say), not
    // about the key: only the sessions it answers for wait, the key's other sessions poll on.
    if (error instanceof UnauthorizedError && error.status === 403) return onForbidden(session, info);
    if (error instanceof UnauthorizedError) {
      const keySource = session.apiKey?.source ?? "default";
      if (!refusedKeys.has(keySource)) {
        refusedKeys.add(keySource);
        logger.error(
          { key: keySource, workspaceId: session.workspaceId, error: info },
          "API key refused; its polls are paused",
        );
        pipeline.recordEvent(unauthorizedEvent(session, keySource, info), null);
      }
      return {
        kind: "failed",
        keyPause: { reason: "unauthorized", ms: deps.unauthorizedRetryMs ?? DEFAULT_UNAUTHORIZED_RETRY_MS },
      };
    }

    const before = health.get(session.key) ?? HEALTHY;
    const { health: after, change } = recordFailure(before, info, session.failureThreshold);
    health.set(session.key, after);
    // One line per failure class: the first failure, and whenever the kind of failure changes.
    // Repeats of the same failure during backoff stay at debug, so an outage does not flood the journal.
    const level = before.lastError?.code === info.code ? "debug" : "warn";
    logger[level](
      { session: session.key, error: info, failures: after.failures },
      `poll failed: ${info.code}`,
    );
    if (change) {
      logger.warn(
        { session: session.key, error: info, failures: after.failures },
        "session polls are failing",
      );
      const event: PollHealthEvent = {
        type: change,
        timestamp: new Date(clock.now()).toISOString(),
        data: { ...baseHealthData(session), error: info, failures: after.failures },
      };
      pipeline.recordEvent(event, session.key);
    }
    if (error instanceof RateLimitedError) {
      const ms = error.retryAfterMs ?? 0;
      return { kind: "failed", retryAfterMs: ms, keyPause: { reason: "rate_limited", ms } };
    }
    return { kind: "failed" };
  }

  /** watcher.unauthorized once per (key, workspace, project) refused with 403; that session waits a minute. */
  function onForbidden(session: WatchedSession, info: ErrorInfo): PollReport {
    const scope = forbiddenScopeOf(session);
    if (!forbiddenScopes.has(scope)) {
      forbiddenScopes.add(scope);
      const keySource = session.apiKey?.source ?? "default";
      logger.error(
        { key: keySource, workspaceId: session.workspaceId, project: session.projectName, error: info },
        "API key refused for this workspace or project (403); its sessions there are retried every minute",
      );
      pipeline.recordEvent(unauthorizedEvent(session, keySource, info), null);
    }
    return { kind: "failed", retryAfterMs: deps.unauthorizedRetryMs ?? DEFAULT_UNAUTHORIZED_RETRY_MS };
  }

  function onSuccess(session: WatchedSession): void {
    if (forbiddenScopes.size > 0 && forbiddenScopes.delete(forbiddenScopeOf(session))) {
      logger.info({ session: session.key }, "API key accepted again for this workspace and project");
    }
    const keySource = session.apiKey?.source ?? "default";
    if (refusedKeys.delete(keySource)) {
      logger.info({ key: keySource }, "API key accepted again; polls resume");
      const event: AuthorizedEvent = {
        type: "watcher.authorized",
        timestamp: new Date(clock.now()).toISOString(),
        data: {
          eventId: newEventId(),
          workspaceId: session.workspaceId,
          keySource,
          observedAt: new Date(clock.now()).toISOString(),
        },
      };
      pipeline.recordEvent(event, null);
    }
    const before = health.get(session.key);
    if (!before) return;
    health.delete(session.key);
    const { change } = recordSuccess(before);
    if (change) {
      logger.info({ session: session.key, failures: before.failures }, "session polls recovered");
      const event: AuthwatchEvent = {
        type: change,
        timestamp: new Date(clock.now()).toISOString(),
        data: { ...baseHealthData(session), error: before.lastError, failures: before.failures },
      };
      pipeline.recordEvent(event, session.key);
    }
  }

  return {
    async poll(session, signal) {
      const startedAt = clock.monotonic();
      if (!session.apiKey)
        return onFailure(session, new UnauthorizedError({ method: "GET", path: "(no API key)" }), startedAt);
      let result: Awaited<ReturnType<typeof pollSession>>;
      try {
        result = await pollSession(deps.clients.forKey(session.apiKey), session, { signal, now: clock.now });
      } catch (error) {
        if (signal.aborted) return { kind: "failed" };
        return onFailure(session, error, startedAt);
      }
      const { observation, answeredId } = result;
      if (debugEnabled) {
        logger.debug(
          { session: session.key, status: observation.status, ms: clock.monotonic() - startedAt },
          "polled",
        );
      }
      deps.metrics?.pollFinished(
        observation.status === "NOT_FOUND" ? "not_found" : "ok",
        (clock.monotonic() - startedAt) / 1000,
      );
      if (answeredId !== null && answeredId !== session.authSessionId && !idMismatchWarned.has(session.key)) {
        idMismatchWarned.add(session.key);
        logger.warn(
          { session: session.key, answeredId },
          "the API answered with another session id; using its status anyway",
        );
      }
      lastPolls.set(session.key, clock.now());
      onSuccess(session);

      const previous = states.get(session.key) ?? null;
      const outcome = transition(previous, observation, {
        ref: session,
        labels: session.labels,
        now: clock.now(),
        newEventId,
      });
      if (outcome.changed) {
        states.set(session.key, outcome.state);
        pipeline.recordTransition(session, outcome.state, outcome.event);
      }
      if (outcome.event) {
        deps.metrics?.transition(outcome.event.data.to);
      }
      if (outcome.event && (logTransitions || !isKnownStatus(outcome.event.data.to))) {
        const { from, to } = outcome.event.data;
        const quiet = to === "READY" || to === "PENDING";
        // A first sighting that is not bad news is no news: at start-up it would be one line per session.
        const level = !isKnownStatus(to) ? "warn" : !quiet ? "warn" : from === null ? "debug" : "info";
        if (level !== "debug" || debugEnabled)
          logger[level](
            { session: session.key, from, to, eventId: outcome.event.data.eventId },
            isKnownStatus(to)
              ? `${session.projectName}/${session.authSessionId}: ${from ?? "(first seen)"} → ${to}`
              : `${session.projectName}/${session.authSessionId}: unknown status "${to}" from the API, kept as-is`,
          );
      }
      return { kind: "ok", status: observation.status };
    },
    healthOf: (key) => health.get(key) ?? HEALTHY,
    lastPollAt: (key) => lastPolls.get(key),
    setLogTransitions(on) {
      logTransitions = on;
    },
    forget(key) {
      health.delete(key);
      lastPolls.delete(key);
      idMismatchWarned.delete(key);
    },
    keyRefused: onFailure,
    keyAccepted: onSuccess,
    refusedFor: (session) =>
      refusedKeys.has(session.apiKey?.source ?? "default") ||
      (forbiddenScopes.size > 0 && forbiddenScopes.has(forbiddenScopeOf(session)))
        ? "UNAUTHORIZED"
        : null,
  };
}
