import type { Dispatcher } from "undici";
import { type AlertRuntime, startAlertRuntime } from "../alerts/alert-runtime.js";
import { alertsView } from "../alerts/alerts-view.js";
import { startHeartbeat } from "../alerts/heartbeat.js";
import { type ClientPool, createClientPool } from "../api/client-pool.js";
import { type Clock, systemClock } from "../clock.js";
import type { ResolvedConfig, WatchedSession } from "../config/types.js";
import { createOutboxWorker } from "../delivery/outbox-worker.js";
import { failureForLog } from "../errors/failure-for-log.js";
import { createEventBus, type EventBus } from "../event-bus.js";
import type { ListenAddress } from "../http/listen-address.js";
import { createStatusRoutes } from "../http/status-routes.js";
import { listenStatusServer, type StatusServer } from "../http/status-server.js";
import type { Logger } from "../logger.js";
import { createProjectPoller } from "../projects/project-poller.js";
import { createProjectSet, type ProjectSet } from "../projects/project-set.js";
import { createScheduler } from "../scheduler/scheduler.js";
import { keyOf } from "../scheduler/session-record.js";
import type { StateStore } from "../store/state-store.js";
import { openStore } from "../store/store.js";
import { type SessionState, sessionKey } from "../types.js";
import { countedClients } from "./counted-clients.js";
import { describeSession, describeSinks } from "./describe-status.js";
import { createEventPipeline, type EventPipeline } from "./event-pipeline.js";
import { createDaemonMetrics, type DaemonMetrics } from "./metrics.js";
import { createPollHandler } from "./poll-handler.js";
import { planReload, type ReloadSummary } from "./reload-plan.js";
import { scrubSecretsFromEnv } from "./scrub-env.js";
import { createSinkRouter } from "./sink-router.js";

export interface DaemonOptions {
  config: ResolvedConfig;
  logger: Logger;
  clock?: Clock;
  /** Connection pool for the Intuned API (tests pass their own). */
  apiDispatcher?: Dispatcher;
  /** Serve the status page, /healthz, /metrics, /sessions and /events here. */
  listen?: ListenAddress;
  /** Required by every endpoint but /healthz when set (a non-loopback `listen`). */
  httpToken?: string;
  /** The environment command sinks start from; default this process's. */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the state lives; default the SQLite file at `config.statePath`. The daemon owns it from
   * here on: it closes it when it stops, or when it fails to start.
   */
  store?: StateStore;
  /**
   * Asked right before every poll; false skips it (the API is not called). A PostgreSQL standby's
   * guard: a leader whose lease may have ended (e.g. woken from a pause) polls nothing.
   */
  mayPoll?: () => boolean;
  /** False while this process may not deliver (HA: the lease may have ended); rows stay pending. */
  mayDeliver?: () => boolean;
  /**
   * A status server someone else listens on and keeps (PostgreSQL HA: the instance's server outlives
   * each term as leader); the daemon serves its routes there instead of listening on `listen`.
   */
  statusServer?: StatusServer;
  /**
   * One term of a PostgreSQL leader: its start and stop are logged at debug (the leadership logs each
   * term), so that "authwatch is watching" and "authwatch stopped" speak of the process.
   */
  leaderTerm?: boolean;
}

/** Events older than this whose deliveries are finished are deleted, so the state file stays small. */
export const HISTORY_RETENTION_MS = 90 * 86_400_000;
const PRUNE_EVERY_MS = 6 * 3_600_000;

export interface Daemon {
  /** Every event, after it is stored. */
  readonly bus: EventBus;
  readonly metrics: DaemonMetrics;
  /** Base URL of the status server, when listening. */
  readonly statusUrl: string | undefined;
  reload(config: ResolvedConfig): ReloadSummary;
  /** Deliveries waiting in the outbox, by sink. */
  outboxDepth(): Promise<Record<string, number>>;
  /** Stops polling, lets in-flight polls and deliveries finish (bounded), persists and closes. */
  stop(timeoutMs: number): Promise<void>;
}

/** Wires store, scheduler, poll handler, sinks and status server into the running daemon. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  let config = options.config;

  // Bound before the state is opened: a busy port must fail the start before anything is created.
  let server: StatusServer | undefined;
  try {
    server =
      options.statusServer ??
      (options.listen
        ? await listenStatusServer(options.listen, { token: options.httpToken, logger, clock })
        : undefined);
  } catch (error) {
    await options.store?.close();
    throw error;
  }
  let store: StateStore;
  try {
    store = options.store ?? openStore(config.statePath, { logger, clock, singleInstance: true });
  } catch (error) {
    await server?.close();
    throw error;
  }
  const sessions = new Map(config.sessions.map((session) => [session.key, session]));
  // Keyed by the config's key strings where a session is watched, so each key is held once, not twice.
  const states = new Map<string, SessionState>();
  let failing: Awaited<ReturnType<StateStore["failingSessions"]>>;
  let disabledSinks: Map<string, string>;
  let refusedKeys: Set<string>;
  let failingProjects: Awaited<ReturnType<StateStore["failingProjects"]>>;
  try {
    for (const [key, state] of await store.loadSessions()) states.set(sessions.get(key)?.key ?? key, state);
    failing = await store.failingSessions();
    disabledSinks = await store.disabledSinks();
    refusedKeys = await store.refusedKeys();
    failingProjects = await store.failingProjects();
  } catch (error) {
    await store.close();
    await server?.close();
    throw error;
  }

  // Assigned once the scheduler exists; the metrics and /sessions read it only after start.
  let projects: ProjectSet | undefined;
  const metrics = createDaemonMetrics({
    outboxDepth: () => store.outboxDepth(),
    pausedKeySources: () => scheduler.keyPauses().map((pause) => pause.keySource),
    keySources: () => [...new Set([...allSessions()].map(keyOf))],
    sinksDisabled: () => Object.fromEntries(sinksDisabledNow()),
  });

  const bus = createEventBus();
  const baseEnv = options.env ?? process.env;
  const router = createSinkRouter({
    sinks: config.sinks,
    disabledSinks,
    logger,
    clock,
    env: scrubSecretsFromEnv(baseEnv, config),
  });
  const worker = createOutboxWorker({
    store,
    mayDeliver: options.mayDeliver,
    sinks: router.durableSinks(),
    disabledSinks,
    clock,
    logger,
    metrics: {
      deliveryResult: (sink, result, durationMs) => metrics.deliveryResult(sink, result, durationMs),
    },
  });
  // Bound once the alert runtime has started (it records its events through the pipeline).
  let alerts: AlertRuntime | undefined;
  const eventPipeline = createEventPipeline({
    store,
    sinks: router,
    bus,
    wakeDelivery: (sink) => worker.notify(sink),
    logger,
    clock,
    silence: (event) => alerts?.silenceFor(event),
  });
  // Overdue rules resolve beside the transition that ends them, in the same commit.
  const pipeline: EventPipeline = {
    ...eventPipeline,
    recordTransition(ref, state, event) {
      eventPipeline.recordTransition(ref, state, event);
      if (event) alerts?.onTransition(sessionKey(ref));
    },
  };

  let clients: ClientPool = createClientPool(
    config.api,
    options.apiDispatcher ? { dispatcher: options.apiDispatcher } : {},
  );
  // Every request is counted by kind for authwatch_api_requests_total; `clients` may be replaced on reload.
  const apiClients = countedClients({ forKey: (key) => clients.forKey(key) }, metrics.apiRequest);
  const pollHandler = createPollHandler({
    clock,
    logger,
    clients: apiClients,
    pipeline,
    states,
    failing,
    refusedKeys,
    metrics,
    logTransitions: !config.sinks.some((sink) => sink.type === "console"),
  });
  const scheduler = createScheduler({
    clock,
    concurrency: config.api.concurrency,
    maxRequestsPerSecond: config.api.maxRequestsPerSecond,
    // A project's list is one scheduler entry (its target); everything else is one session's GET.
    poll: (session, signal) => {
      if (options.mayPoll && !options.mayPoll()) return Promise.resolve({ kind: "failed" as const });
      const watch = projects?.watchFor(session.key);
      return watch ? projectPoller.poll(watch, signal) : pollHandler.poll(session, signal);
    },
    onLate: metrics.schedulerLate,
  });
  for (const session of config.sessions) scheduler.upsert(session, states.get(session.key)?.status);
  const projectPoller = createProjectPoller({
    clock,
    logger,
    clients: apiClients,
    states,
    commitTransition: (session, state, event) => pipeline.recordTransition(session, state, event),
    commitEvent: (event) => pipeline.recordEvent(event, null),
    keyRefused: pollHandler.keyRefused,
    keyAccepted: pollHandler.keyAccepted,
    metrics,
  });
  projects = createProjectSet({ projects: config.projects, states, scheduler, failing: failingProjects });

  let running = true;
  /** Each durable sink and whether its receiver disabled it (410) under its current delivery config. */
  function sinksDisabledNow(): [string, boolean][] {
    return [...router.durableSinks()].map(([name, routed]) => [
      name,
      disabledSinks.get(name) === routed.fingerprint,
    ]);
  }
  const healthy = (): { ok: boolean; reason?: string } => {
    if (!running) return { ok: false, reason: "stopping" };
    if (!store.isHealthy() || !pipeline.healthy()) {
      return { ok: false, reason: "the state store cannot be written; changes are kept and retried" };
    }
    return { ok: true };
  };
  // What /healthz adds while healthy: paused keys and disabled sinks degrade alerting without stopping
  // the daemon, so they are shown but stay 200 (a restart would not fix either; see docs/http.md).
  const healthReport = () => {
    const health = healthy();
    const pausedKeys = scheduler.keyPauses().map((pause) => ({
      keySource: pause.keySource,
      until: new Date(pause.until).toISOString(),
      reason: pause.reason.toUpperCase(),
    }));
    const disabled = sinksDisabledNow().flatMap(([name, isDisabled]) => (isDisabled ? [name] : []));
    return {
      ...health,
      ...(pausedKeys.length > 0 ? { pausedKeys } : {}),
      ...(disabled.length > 0 ? { disabledSinks: disabled } : {}),
    };
  };
  /** Why a session's polls are held back now: its key refused, or paused by the API's Retry-After. */
  const heldReason = (session: WatchedSession) => {
    const refused = pollHandler.refusedFor(session);
    if (refused) return refused;
    const pause = scheduler.keyPauses().find((p) => p.keySource === keyOf(session));
    return pause ? pause.reason.toUpperCase() : null;
  };
  const status = server
    ? createStatusRoutes({
        logger,
        now: clock.now,
        registry: metrics.registry,
        healthy: healthReport,
        sessions: () => [...sessions.values(), ...(projects?.members() ?? [])],
        stateOf: (key) => states.get(key),
        describe: (session) => {
          // A discovered session's polls are its project's list requests.
          const project = projects?.watchOfSession(session);
          return describeSession(session, {
            state: states.get(session.key),
            health: project?.health ?? pollHandler.healthOf(session.key),
            lastPollAt: project ? project.lastPollAt : pollHandler.lastPollAt(session.key),
            nextPollAt: scheduler.nextDueAt(project?.target.key ?? session.key),
            // Contract §8: which rule is overdue since when, and the silence in force.
            alerts: alertsView(alerts, session),
            held: heldReason(project?.target ?? session),
          });
        },
        events: {
          // Every stored event, silenced ones too: the stream mirrors the history (and its replay).
          subscribe(listener) {
            bus.on("stored", listener);
            return () => bus.off("stored", listener);
          },
          eventsAfter: (eventId, limit) => store.eventsAfter(eventId, limit),
        },
        statusChangesSince: async (since, page) => (await store.statusChangesSince?.(since, page)) ?? [],
        sinks: () => describeSinks(config.sinks, store),
      })
    : undefined;
  server?.serve(status?.routes ?? {});

  try {
    alerts = await startAlertRuntime({
      clock,
      logger,
      store,
      config,
      sessions: () => allSessions(),
      sessionOf: (key) => sessions.get(key) ?? projects?.sessionOf(key),
      states,
      record: (event, key, change) => pipeline.recordEvent(event, key, change),
    });
  } catch (error) {
    metrics.close();
    await server?.close();
    await router.close();
    await store.close();
    throw error;
  }
  function* allSessions() {
    yield* sessions.values();
    if (projects) yield* projects.members();
  }
  // The dead man's switch beats only while the daemon is healthy and its polls are not all failing.
  const startBeat = (next: ResolvedConfig) =>
    next.heartbeat
      ? startHeartbeat(next.heartbeat, {
          clock,
          logger,
          healthy: () => {
            const health = healthy();
            if (!health.ok) return health;
            // What is polled: each listed session, and each project's list (its members ride on it). Each
            // is down while its polls fail or its key is refused (a refused key makes no polls at all).
            const down = (target: WatchedSession, failing: boolean) =>
              failing || pollHandler.refusedFor(target) !== null;
            const targets = [
              ...[...sessions.values()].map((session) =>
                down(session, pollHandler.healthOf(session.key).failing),
              ),
              ...[...(projects?.lists() ?? [])].map((list) => down(list.target, list.failing)),
            ];
            if (targets.length > 0 && targets.every(Boolean)) {
              return {
                ok: false,
                reason: "every session's polls and every project's list are failing or refused",
              };
            }
            return { ok: true };
          },
        })
      : undefined;
  let heartbeat = startBeat(config);
  scheduler.start();
  worker.start();
  let cancelPrune: (() => void) | undefined;
  const prune = async () => {
    try {
      const deleted = await store.pruneHistory(clock.now() - HISTORY_RETENTION_MS);
      if (deleted > 0)
        logger.info({ deleted, retentionDays: HISTORY_RETENTION_MS / 86_400_000 }, "old events pruned");
    } catch (error) {
      logger.warn({ error: failureForLog(error) }, "could not prune old events; will try again later");
    }
    if (running) cancelPrune = clock.setTimer(() => void prune(), PRUNE_EVERY_MS);
  };
  void prune();
  logger[options.leaderTerm ? "debug" : "info"](
    {
      sessions: config.sessions.length,
      projects: config.projects.map((project) => project.key),
      sinks: config.sinks.map((sink) => sink.name),
      state: store.location,
      listen: server?.url,
    },
    "authwatch is watching",
  );

  return {
    bus,
    metrics,
    statusUrl: server?.url,
    outboxDepth: async () => await store.outboxDepth(),
    reload(next) {
      const plan = planReload(config, next);
      const { summary } = plan;
      for (const source of plan.resumeKeys) scheduler.resumeKey(source);
      if (plan.newClients) {
        clients = createClientPool(
          next.api,
          options.apiDispatcher ? { dispatcher: options.apiDispatcher } : {},
        );
      }
      for (const key of plan.remove) {
        scheduler.remove(key);
        pollHandler.forget(key);
        sessions.delete(key);
      }
      // Every entry takes the new config's object (labels and names shown by /sessions and metrics).
      for (const session of next.sessions) sessions.set(session.key, session);
      for (const session of plan.schedule) scheduler.upsert(session, states.get(session.key)?.status);
      summary.projects = projects?.reload(next.projects);
      alerts?.reload(next);
      if (JSON.stringify(next.heartbeat) !== JSON.stringify(config.heartbeat)) {
        void heartbeat?.stop();
        heartbeat = startBeat(next);
      }
      router.update(next.sinks, scrubSecretsFromEnv(baseEnv, next));
      worker.updateSinks(router.durableSinks());
      pollHandler.setLogTransitions(!plan.consoleSink);
      config = next;
      logger.info({ ...summary }, "watchlist reloaded");
      if (summary.needsRestart.length > 0) {
        logger.warn({ settings: summary.needsRestart }, "these changes take effect after a restart");
      }
      return summary;
    },
    async stop(timeoutMs) {
      running = false;
      cancelPrune?.();
      alerts?.stop();
      await heartbeat?.stop();
      const deadline = clock.monotonic() + timeoutMs;
      const schedulerStopped = scheduler.stop();
      // The sleep is cancelled once the polls are done, so a library caller's process is not kept alive.
      const patience = new AbortController();
      const inTime = await Promise.race([
        schedulerStopped.then(() => true),
        clock.sleep(Math.max(0, timeoutMs / 2), patience.signal).then(
          () => false,
          () => true,
        ),
      ]);
      patience.abort();
      if (!inTime) {
        logger.warn({ inFlight: scheduler.inFlight() }, "aborting polls still in flight at shutdown");
        scheduler.abortInFlight();
        await schedulerStopped;
      }
      await pipeline.flush();
      pipeline.close();
      await worker.stop(Math.max(0, deadline - clock.monotonic() - 200));
      status?.closeEventStreams();
      metrics.close();
      await server?.close();
      await router.close();
      await store.close();
      logger[options.leaderTerm ? "debug" : "info"]("authwatch stopped");
    },
  };
}
