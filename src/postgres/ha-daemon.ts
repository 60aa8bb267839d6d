import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Gauge } from "prom-client";
import { systemClock } from "../clock.js";
import type { ResolvedConfig, ResolvedPostgres } from "../config/types.js";
import { type Daemon, type DaemonOptions, startDaemon } from "../daemon/daemon.js";
import { createDaemonMetrics } from "../daemon/metrics.js";
import { createEventBus } from "../event-bus.js";
import { listenStatusServer, type Route, type StatusServer, sendText } from "../http/status-server.js";
import type { StateStore } from "../store/state-store.js";
import { createLeadership } from "./leadership.js";
import { acquireLease, releaseLease } from "./lease.js";
import { openPostgres } from "./open-postgres.js";
import { createPostgresStore } from "./postgres-store.js";

/** How long a leader that steps down gives its polls and deliveries in flight before aborting them. */
const STEP_DOWN_PATIENCE_FRACTION = 0.2;

/**
 * `authwatch watch` on PostgreSQL (contract §10). Every instance serves /healthz and /metrics and
 * competes for the lease; the one that holds it runs the ordinary daemon (poll → transition → commit
 * → deliver) on a store fenced at its epoch. Losing the lease stops that daemon and the instance
 * stands by again; it never exits for that. A standby neither polls nor delivers.
 */
export async function startHaDaemon(options: DaemonOptions & { config: { postgres: ResolvedPostgres } }) {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  let config: ResolvedConfig = options.config;
  const settings = options.config.postgres;
  const ttl = settings.leaseTtlMs;
  const { pool, leasePool } = await openPostgres(settings, logger);
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

  const bus = createEventBus();
  const standbyMetrics = createDaemonMetrics({ outboxDepth: () => ({}) });
  const leaderGauge = new Gauge({
    name: "authwatch_leader",
    help: "1 while this instance holds the lease and runs the pipeline (PostgreSQL HA), else 0.",
    registers: [standbyMetrics.registry],
  });
  leaderGauge.set(0);

  // Bound before anything else, and kept for the life of the process: each term as leader serves its
  // routes on it, and a standby answers /healthz and /metrics itself.
  let server: StatusServer | undefined;
  try {
    server = options.listen
      ? await listenStatusServer(options.listen, { token: options.httpToken, logger, clock })
      : undefined;
  } catch (error) {
    standbyMetrics.close();
    await Promise.all([pool.end(), leasePool.end()]);
    throw error;
  }
  let leaderRoutes: Record<string, Route> | undefined;
  /** What the daemon of one term sees as its server: routes go to us, closing it closes nothing. */
  const termServer = (url: string): StatusServer => ({
    url,
    serve: (routes) => {
      leaderRoutes = routes;
    },
    close: async () => {
      leaderRoutes = undefined;
    },
  });

  // Reads that need no lease (outbox depth for the demo and tests).
  const reader = createPostgresStore({ pool, schema: settings.schema, location: settings.location });
  let inner: Daemon | undefined;
  let innerStore: StateStore | undefined;
  let stepDownPatienceMs = Math.max(200, ttl * STEP_DOWN_PATIENCE_FRACTION);
  let stopping = false;
  const leadership = createLeadership({
    ttlMs: ttl,
    logger,
    acquire: () => acquireLease(leasePool, settings.schema, holder, ttl),
    release: () => releaseLease(leasePool, settings.schema, holder),
    async onLead(epoch) {
      if (stopping) return;
      innerStore = createPostgresStore({
        pool,
        schema: settings.schema,
        location: settings.location,
        epoch,
        idleInTransactionMs: ttl / 3,
      });
      const { listen: _ownListener, ...rest } = options;
      inner = await startDaemon({
        ...rest,
        config,
        store: innerStore,
        mayPoll: () => leadership.isLeading(),
        mayDeliver: () => leadership.isLeading(),
        leaderTerm: true,
        ...(server ? { statusServer: termServer(server.url) } : {}),
      });
      inner.metrics.registry.registerMetric(leaderGauge);
      inner.bus.on("event", (event) => bus.emit("event", event));
      leaderGauge.set(1);
    },
    async onStepDown() {
      leaderGauge.set(0);
      const running = inner;
      inner = undefined;
      innerStore = undefined;
      await running?.stop(stepDownPatienceMs);
    },
  });

  const health = () => {
    const role = leadership.role();
    if (stopping) return { ok: false, role, reason: "stopping" };
    if (role === "leader" && innerStore && !innerStore.isHealthy()) {
      return { ok: false, role, reason: "the state store cannot be written; changes are kept and retried" };
    }
    // Still 200: no instance can take over while the database is away, and a restart would not bring
    // it back (a liveness probe must not restart every instance); the field says why nobody leads.
    const database = leadership.databaseProblem();
    return {
      ok: true,
      role,
      ...(role === "leader" ? { epoch: leadership.epoch() } : {}),
      ...(database ? { database: { reachable: false, ...database } } : {}),
    };
  };
  const standbyRoutes: Record<string, Route> = {
    "/metrics": async (_request, response) => {
      sendText(response, 200, await standbyMetrics.registry.metrics(), standbyMetrics.registry.contentType);
    },
  };
  const routes: Record<string, Route> = {};
  for (const path of ["/", "/sessions", "/metrics", "/events", "/timeline", "/sinks"]) {
    routes[path] = (request, response, url) => {
      const route = leaderRoutes?.[path] ?? standbyRoutes[path];
      if (route) return route(request, response, url);
      sendText(
        response,
        503,
        `${JSON.stringify({ ok: false, role: "standby", reason: "this instance stands by; ask the leader" })}\n`,
        "application/json",
      );
    };
  }
  routes["/healthz"] = (_request, response) => {
    const now = health();
    sendText(response, now.ok ? 200 : 503, `${JSON.stringify(now)}\n`, "application/json");
  };
  server?.serve(routes);
  leadership.start();
  logger.info(
    { state: settings.location, schema: settings.schema, leaseTtlMs: ttl, holder, listen: server?.url },
    "authwatch is standing by for the lease",
  );

  const daemon: Daemon = {
    bus,
    get metrics() {
      return inner?.metrics ?? standbyMetrics;
    },
    statusUrl: server?.url,
    reload(next) {
      const summary = inner?.reload(next);
      config = next;
      return (
        summary ?? { added: 0, removed: 0, changed: 0, unchanged: next.sessions.length, needsRestart: [] }
      );
    },
    outboxDepth: async () => await reader.outboxDepth(),
    async stop(timeoutMs) {
      stopping = true;
      // A clean stop may let deliveries in flight finish; losing the lease may not.
      stepDownPatienceMs = timeoutMs;
      await leadership.stop();
      standbyMetrics.close();
      await server?.close();
      await reader.close();
      await Promise.all([pool.end(), leasePool.end()]);
      logger.info("authwatch stopped");
    },
  };
  return daemon;
}
