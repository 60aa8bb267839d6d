import { NotFoundError, UnauthorizedError } from "../api/errors.js";
import { systemClock } from "../clock.js";
import { DEFAULT_API_BASE_URL } from "../config/resolve.js";
import { MAX_TIMER_MS } from "../config/schema.js";
import { toErrorInfo } from "../errors/to-error-info.js";
import { NOT_FOUND } from "../types.js";
import { type Connection, connectTargets } from "./connect-targets.js";
import { pollWithRetry } from "./poll-with-retry.js";
import { applyFailure, applyObservation, initialSessionState, rulesOut } from "./session-state.js";
import type {
  WaitForSessionOptions,
  WaitProgress,
  WaitReport,
  WaitRunOptions,
  WaitSessionState,
  WaitStatus,
  WaitTarget,
} from "./types.js";
import { WaitError } from "./wait-error.js";

export const WAIT_DEFAULTS = {
  for: "READY",
  timeoutMs: 5 * 60_000,
  intervalMs: 5_000,
  jitter: 0.1,
  requestTimeoutMs: 10_000,
} as const satisfies Partial<WaitForSessionOptions>;

/** Why the run stopped; "done" means every session has the status. */
type Stop = "done" | "deadline" | "aborted" | "unauthorized" | "ended_early";

/** The internal abort reason, so a request cut by the run is told apart from a failed one. */
class RunStopped extends Error {
  constructor(readonly stop: Stop) {
    super(`wait stopped: ${stop}`);
  }
}

/**
 * Polls the sessions until all of them have the wanted status at once, then resolves with what it saw.
 * Otherwise rejects with a WaitError: at the deadline (reason "timeout", or "api_failing" when the last
 * poll of an unfinished session failed), at once on a refused key ("unauthorized") or, waiting for
 * READY, on EXPIRED/NOT_FOUND ("ended_early"), and on the caller's abort ("aborted").
 * A request still running at the deadline is cut there, so the deadline holds to within a few ms;
 * only `timeoutMs: 0` (check once) lets its single poll run for up to one request timeout.
 */
export async function waitForSession(
  options: WaitForSessionOptions,
  run: WaitRunOptions = {},
): Promise<WaitReport> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const wanted: WaitStatus = options.for ?? WAIT_DEFAULTS.for;
  const timeoutMs = options.timeoutMs ?? WAIT_DEFAULTS.timeoutMs;
  const intervalMs = options.intervalMs ?? WAIT_DEFAULTS.intervalMs;
  const jitter = options.jitter ?? WAIT_DEFAULTS.jitter;
  const failFast = options.failFast ?? true;
  const targets: readonly WaitTarget[] = isList(options.sessions) ? options.sessions : [options.sessions];
  checkNumbers({ timeoutMs, intervalMs, jitter, sessions: targets.length });

  const connections = connectTargets(targets, {
    baseUrl: options.baseUrl ?? DEFAULT_API_BASE_URL,
    apiKey: options.apiKey,
    requestTimeoutMs: options.requestTimeoutMs ?? WAIT_DEFAULTS.requestTimeoutMs,
    dispatcher: options.dispatcher,
    clock,
  });
  const startedAt = clock.now();
  // Deadlines and elapsed times on the monotonic clock: a wall-clock step must not end or stretch a wait.
  const startedMono = clock.monotonic();
  const deadline = startedMono + timeoutMs;
  const states = targets.map(initialSessionState);
  const controller = new AbortController();
  const { signal } = controller;
  let stopped: { stop: Stop; cause: unknown } | undefined;

  const stop = (why: Stop, cause?: unknown) => {
    if (stopped) return;
    stopped = { stop: why, cause };
    controller.abort(new RunStopped(why));
  };
  const onCallerAbort = () => stop("aborted", run.signal?.reason);
  if (run.signal?.aborted) onCallerAbort();
  run.signal?.addEventListener("abort", onCallerAbort, { once: true });
  // With timeout 0 there is no deadline to cut at: the single poll runs to its own request timeout.
  const cancelDeadline = timeoutMs > 0 ? clock.setTimer(() => stop("deadline"), timeoutMs) : () => {};

  let callbackFailure: { error: unknown } | undefined;
  const update = (index: number, next: WaitSessionState) => {
    const previousStatus = states[index]!.status;
    states[index] = next;
    const progress: WaitProgress = { session: next, previousStatus, at: clock.now() };
    try {
      options.onProgress?.(progress);
    } catch (error) {
      // Thrown inside p-retry's callback it would pass for a failed poll; surface it as the bug it is.
      callbackFailure ??= { error };
      stop("aborted", error);
    }
  };

  // Backoff bounds of every poll: retrying slower than polling helps nobody.
  const retrying = {
    clock,
    random,
    signal,
    deadline,
    minBackoffMs: Math.min(1_000, intervalMs),
    maxBackoffMs: intervalMs,
  };

  const pollLoop = async (index: number, connection: Connection) => {
    const target = targets[index]!;
    const ref = {
      workspaceId: target.workspaceId,
      projectName: target.projectName,
      authSessionId: target.authSessionId,
    };
    while (!signal.aborted) {
      try {
        const { observation } = await pollWithRetry({
          ...connection,
          ref,
          ...retrying,
          onFailure: (error) => update(index, applyFailure(states[index]!, toErrorInfo(error), clock.now())),
        });
        update(index, applyObservation(states[index]!, observation, wanted));
        if (states.every((state) => state.reached)) return stop("done");
        if (failFast && rulesOut(wanted, observation.status)) return stop("ended_early");
      } catch (error) {
        if (signal.aborted) return noteCutRequest(index);
        if (error instanceof UnauthorizedError) return stop("unauthorized", error);
        // Otherwise a transient failure past the deadline, or one that retrying at once will not cure
        // (an odd 4xx, a malformed body): it is recorded; poll again at the usual pace.
      }
      if (!(await nextRound())) return;
    }
  };

  /** Sleeps one interval, or less up to the deadline; false when the loop should end instead. */
  const nextRound = async (): Promise<boolean> => {
    const remaining = deadline - clock.monotonic();
    if (remaining <= 0) return false;
    try {
      // Jitter only ever shortens the wait, so a change is seen within one interval.
      await clock.sleep(Math.min(intervalMs * (1 - jitter * random()), remaining), signal);
    } catch {
      return false;
    }
    return clock.monotonic() < deadline;
  };

  /**
   * A session whose every request was cut by the deadline timed out, even with no error of its own.
   * The cut is the wait's own doing, not a failure of the API: it alone does not make the result
   * "api_failing" (exit 5), or `--timeout 10ms` against a healthy API would blame the API.
   */
  const cutByDeadline = new Set<number>();
  const noteCutRequest = (index: number) => {
    const state = states[index]!;
    if (stopped?.stop !== "deadline" || state.polls > 0) return;
    const message = `no answer within ${Math.round(clock.monotonic() - startedMono)}ms: the wait's deadline cut the request`;
    cutByDeadline.add(index);
    update(index, applyFailure(state, { code: "TIMEOUT", message }, clock.now()));
  };

  /**
   * Two or more sessions of one project on one key: one list request per interval for all of them,
   * each session read from the list (one that is absent is NOT_FOUND, as its own GET's 404 would be;
   * so is every one when the list's 404 says the project itself is unknown).
   */
  const listLoop = async (indexes: readonly number[], connection: Connection) => {
    const first = targets[indexes[0]!]!;
    const { workspaceId, projectName } = first;
    const ref = { workspaceId, projectName, authSessionId: first.authSessionId };
    while (!signal.aborted) {
      try {
        const listing = await pollWithRetry({
          ...connection,
          ref,
          ...retrying,
          request: (s) =>
            connection.client.listAuthSessions(workspaceId, projectName, { signal: s }).catch((error) => {
              if (error instanceof NotFoundError) return [];
              throw error;
            }),
          onFailure: (error) => {
            const info = toErrorInfo(error);
            for (const index of indexes) update(index, applyFailure(states[index]!, info, clock.now()));
          },
        });
        const byId = new Map(listing.map((record) => [record.id, record]));
        const observedAt = clock.now();
        for (const index of indexes) {
          const record = byId.get(targets[index]!.authSessionId);
          const observation = record
            ? { status: record.status, sessionType: record.type, observedAt }
            : { status: NOT_FOUND, sessionType: null, observedAt };
          update(index, applyObservation(states[index]!, observation, wanted));
        }
        if (states.every((state) => state.reached)) return stop("done");
        if (failFast && indexes.some((index) => rulesOut(wanted, states[index]!.status ?? ""))) {
          return stop("ended_early");
        }
      } catch (error) {
        if (signal.aborted) {
          for (const index of indexes) noteCutRequest(index);
          return;
        }
        if (error instanceof UnauthorizedError) return stop("unauthorized", error);
      }
      if (!(await nextRound())) return;
    }
  };

  const settled = await Promise.allSettled(
    groupByProject(targets, connections).map(({ indexes, connection }) =>
      indexes.length === 1 ? pollLoop(indexes[0]!, connection) : listLoop(indexes, connection),
    ),
  );
  cancelDeadline();
  run.signal?.removeEventListener("abort", onCallerAbort);
  const bug = settled.find((result) => result.status === "rejected");
  if (bug) throw bug.reason;
  if (callbackFailure) throw callbackFailure.error;

  const report: WaitReport = {
    for: wanted,
    startedAt,
    elapsedMs: Math.round(clock.monotonic() - startedMono),
    timeoutMs,
    sessions: states,
  };
  const outcome = stopped ?? { stop: "deadline" as const, cause: undefined };
  switch (outcome.stop) {
    case "done":
      return report;
    case "deadline": {
      const failing = states.find(
        (state, index) => !state.reached && state.lastError !== null && !cutByDeadline.has(index),
      );
      throw new WaitError(failing ? "api_failing" : "timeout", report);
    }
    default:
      throw new WaitError(outcome.stop, report, { cause: outcome.cause });
  }
}

/** Targets grouped by key and project, in the order of their first target. */
function groupByProject(
  targets: readonly WaitTarget[],
  connections: readonly Connection[],
): Array<{ indexes: number[]; connection: Connection }> {
  const groups = new Map<Connection, Map<string, { indexes: number[]; connection: Connection }>>();
  const ordered: Array<{ indexes: number[]; connection: Connection }> = [];
  targets.forEach((target, index) => {
    const connection = connections[index]!;
    let byProject = groups.get(connection);
    if (!byProject) {
      byProject = new Map();
      groups.set(connection, byProject);
    }
    const key = `${target.workspaceId.toLowerCase()}/${target.projectName}`;
    const group = byProject.get(key);
    if (group) group.indexes.push(index);
    else {
      const created = { indexes: [index], connection };
      byProject.set(key, created);
      ordered.push(created);
    }
  });
  return ordered;
}

function isList(sessions: WaitForSessionOptions["sessions"]): sessions is readonly WaitTarget[] {
  return Array.isArray(sessions);
}

function checkNumbers(values: {
  timeoutMs: number;
  intervalMs: number;
  jitter: number;
  sessions: number;
}): void {
  // Timers longer than Node's limit would fire at once, so both are capped (at 24 days).
  if (!(values.timeoutMs >= 0 && values.timeoutMs <= MAX_TIMER_MS)) {
    throw new RangeError(`waitForSession: timeoutMs must be from 0 to ${MAX_TIMER_MS}`);
  }
  if (!(values.intervalMs > 0 && values.intervalMs <= MAX_TIMER_MS)) {
    throw new RangeError(`waitForSession: intervalMs must be above 0 and at most ${MAX_TIMER_MS}`);
  }
  if (!(values.jitter >= 0 && values.jitter < 1))
    throw new RangeError("waitForSession: jitter must be in [0, 1)");
  if (values.sessions === 0) throw new RangeError("waitForSession: no sessions to wait for");
}
