import { randomUUID } from "node:crypto";
import type { ClientPool } from "../api/client-pool.js";
import { RateLimitedError, UnauthorizedError } from "../api/errors.js";
import type { AuthSessionRecord } from "../api/types.js";
import type { Clock } from "../clock.js";
import type { WatchedSession } from "../config/types.js";
import { toErrorInfo } from "../errors/to-error-info.js";
import type { ProjectHealthEvent, TransitionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { recordFailure, recordSuccess } from "../poll-health.js";
import type { PollReport } from "../scheduler/types.js";
import { transition } from "../transition.js";
import { NOT_FOUND, type Observation, type SessionState } from "../types.js";
import { diffProjectListing, type ListingMembers } from "./diff-listing.js";
import { memberSession, mostUrgentStatus, type ProjectWatch } from "./project-watch.js";

/** Changes handed to the state writer per turn of the event loop. */
const APPLY_SLICE = 500;

export interface ProjectPollerDeps {
  clock: Clock;
  logger: Logger;
  clients: ClientPool;
  /** Every session's last state, shared with the watcher; the poller keeps its members' current. */
  states: Map<string, SessionState>;
  /** Stores a session's new state with its event (null: a stored field changed, no event), then fans it out. */
  commitTransition(session: WatchedSession, state: SessionState, event: TransitionEvent | null): void;
  /** Stores a project event, then fans it out. */
  commitEvent(event: ProjectHealthEvent): void;
  /** A refused key: watcher.unauthorized once per key and the key's pause, as for a session's poll. */
  keyRefused(target: WatchedSession, error: UnauthorizedError, startedAt: number): PollReport;
  keyAccepted(target: WatchedSession): void;
  /** A session starts being watched (it appeared in the list and passes the filter). */
  memberAdded?(session: WatchedSession): void;
  metrics?: { pollFinished(result: string, seconds: number): void; transition(to: string): void };
  newEventId?: () => string;
}

export interface ProjectPoller {
  /** One list request: the scheduler calls this for a project's target and plans the next from the report. */
  poll(watch: ProjectWatch, signal: AbortSignal): Promise<PollReport>;
}

/**
 * A project's list as observations of its sessions: the list's answer is diffed against the members,
 * and only what changed goes through the state machine, exactly as a session's own poll would.
 * A list that fails changes nothing about any session; its failures are the project's own health.
 */
export function createProjectPoller(deps: ProjectPollerDeps): ProjectPoller {
  const { clock, logger, states } = deps;
  const newEventId = deps.newEventId ?? randomUUID;

  function observe(session: WatchedSession, observation: Observation): void {
    const previous = states.get(session.key) ?? null;
    const outcome = transition(previous, observation, {
      ref: session,
      labels: session.labels,
      now: observation.observedAt,
      newEventId,
    });
    if (!outcome.changed) return;
    states.set(session.key, outcome.state);
    deps.commitTransition(session, outcome.state, outcome.event);
    if (outcome.event) deps.metrics?.transition(outcome.event.data.to);
  }

  async function apply(watch: ProjectWatch, listing: readonly AuthSessionRecord[]): Promise<void> {
    const members: ListingMembers = {
      stateOf(id) {
        const member = watch.members.get(id);
        return member === undefined ? undefined : (states.get(member.key) ?? null);
      },
      ids: () => watch.members.keys(),
    };
    const diff = diffProjectListing(members, listing, watch.filter);
    for (const id of diff.added) {
      const member = memberSession(watch.project, id);
      watch.members.set(id, member);
      deps.memberAdded?.(member);
    }
    const observedAt = clock.now();
    let handled = 0;
    // A first listing of 10,000 sessions is 10,000 changes: handed over in slices, each its own turn of
    // the event loop (and so its own group commit), so other work runs in between.
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    for (const record of diff.observed) {
      const member = watch.members.get(record.id);
      if (member) observe(member, { status: record.status, sessionType: record.type, observedAt });
      if (++handled % APPLY_SLICE === 0) await nextTurn();
    }
    for (const id of diff.missing) {
      const member = watch.members.get(id);
      if (member) observe(member, { status: NOT_FOUND, sessionType: null, observedAt });
      if (++handled % APPLY_SLICE === 0) await nextTurn();
    }
    if (diff.added.length > 0 || diff.missing.length > 0) {
      logger.info(
        {
          project: watch.project.key,
          appeared: diff.added.length,
          disappeared: diff.missing.length,
          watched: watch.members.size,
          filteredOut: diff.filteredOut,
        },
        "project sessions changed",
      );
    }
  }

  function projectEvent(watch: ProjectWatch, type: ProjectHealthEvent["type"]): ProjectHealthEvent {
    const now = new Date(clock.now()).toISOString();
    const { project, health } = watch;
    return {
      type,
      timestamp: now,
      data: {
        eventId: newEventId(),
        workspaceId: project.workspaceId,
        projectName: project.projectName,
        error: health.lastError,
        failures: health.failures,
        observedAt: now,
        labels: project.labels,
      },
    };
  }

  function onFailure(watch: ProjectWatch, error: unknown, startedAt: number): PollReport {
    const info = toErrorInfo(error);
    deps.metrics?.pollFinished(info.code.toLowerCase(), (clock.monotonic() - startedAt) / 1000);
    watch.lastPollAt = clock.now();
    const before = watch.health;
    const { health, change } = recordFailure(before, info, watch.project.failureThreshold);
    watch.health = health;
    const level = before.lastError?.code === info.code ? "debug" : "warn";
    logger[level](
      { project: watch.project.key, error: info, failures: health.failures },
      `project list failed: ${info.code}; its sessions keep their state`,
    );
    if (change) deps.commitEvent(projectEvent(watch, "project.poll_failing"));
    if (error instanceof RateLimitedError) {
      const ms = error.retryAfterMs ?? 0;
      return { kind: "failed", retryAfterMs: ms, keyPause: { reason: "rate_limited", ms } };
    }
    return { kind: "failed" };
  }

  function onSuccess(watch: ProjectWatch): void {
    const before = watch.health;
    if (before.failures === 0) return;
    const { health, change } = recordSuccess(before);
    if (change) {
      logger.info({ project: watch.project.key, failures: before.failures }, "project list recovered");
      deps.commitEvent(projectEvent(watch, "project.poll_recovered"));
    }
    watch.health = health;
  }

  return {
    async poll(watch, signal) {
      // Durations on the monotonic clock, as the poll handler measures them (keyRefused shares it).
      const startedAt = clock.monotonic();
      const { project, target } = watch;
      if (!project.apiKey) {
        return deps.keyRefused(
          target,
          new UnauthorizedError({ method: "GET", path: "(no API key)" }),
          startedAt,
        );
      }
      let listing: AuthSessionRecord[];
      try {
        listing = await deps.clients
          .forKey(project.apiKey)
          .listAuthSessions(project.workspaceId, project.projectName, { signal });
      } catch (error) {
        if (signal.aborted) return { kind: "failed" };
        if (error instanceof UnauthorizedError) return deps.keyRefused(target, error, startedAt);
        return onFailure(watch, error, startedAt);
      }
      deps.metrics?.pollFinished("ok", (clock.monotonic() - startedAt) / 1000);
      watch.lastPollAt = clock.now();
      deps.keyAccepted(target);
      onSuccess(watch);
      await apply(watch, listing);
      return { kind: "ok", status: mostUrgentStatus(watch, states) ?? "default" };
    },
  };
}
