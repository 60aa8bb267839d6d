import { Registry } from "prom-client";
import { describe, expect, it, onTestFinished } from "vitest";
import { systemClock } from "../../src/clock.js";
import type { WatchedSession } from "../../src/config/types.js";
import { createStatusRoutes } from "../../src/http/status-routes.js";
import { listenStatusServer } from "../../src/http/status-server.js";
import { createSilentLogger } from "../../src/logger.js";
import { parsePrometheusText } from "../helpers/prometheus.js";

const COUNT = 50_000;
const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";

/**
 * A status server over 50,000 sessions that notes, for every session it describes, which turn of the
 * event loop it was in (a setImmediate chain counts the turns).
 */
async function startLargeServer() {
  const sessions = Array.from(
    { length: COUNT },
    (_, i) =>
      ({
        key: `${WORKSPACE}/p/s-${i}`,
        workspaceId: WORKSPACE,
        projectName: "p",
        authSessionId: `s-${i}`,
        labels: { team: "t" },
      }) as unknown as WatchedSession,
  );
  let turn = 0;
  let counting = true;
  const count = () => {
    turn++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  onTestFinished(() => {
    counting = false;
  });
  const turnsSeen = new Set<number>();
  const { routes } = createStatusRoutes({
    logger: createSilentLogger(),
    now: Date.now,
    registry: new Registry(),
    healthy: () => ({ ok: true }),
    sessions: () => sessions,
    stateOf: () => {
      turnsSeen.add(turn);
      return { status: "READY", sessionType: "CREDENTIALS", since: 1_700_000_000_000 };
    },
    describe: (session) => {
      turnsSeen.add(turn);
      return { authSessionId: session.authSessionId, status: "READY" };
    },
    events: { subscribe: () => () => {}, eventsAfter: () => [] },
    statusChangesSince: () => [],
    sinks: () => [],
  });
  const server = await listenStatusServer(
    { host: "127.0.0.1", port: 0 },
    { token: undefined, logger: createSilentLogger(), clock: systemClock },
  );
  onTestFinished(() => server.close());
  server.serve(routes);
  return { url: server.url, turnsSeen };
}

describe("large responses with 50,000 sessions", () => {
  it("/sessions is complete and valid JSON, built across many turns of the event loop rather than in one", async () => {
    const { url, turnsSeen } = await startLargeServer();
    const body = (await (await fetch(`${url}/sessions`)).json()) as { sessions: { authSessionId: string }[] };
    expect(body.sessions).toHaveLength(COUNT);
    expect(body.sessions[COUNT - 1]?.authSessionId).toBe(`s-${COUNT - 1}`);
    // Built in one go (as before), every session would be described in the same turn.
    expect(turnsSeen.size).toBeGreaterThan(5);
  });

  it("/metrics has a status and a since sample per session, built across many turns", async () => {
    const { url, turnsSeen } = await startLargeServer();
    const samples = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    expect(samples.filter((s) => s.name === "authwatch_session_status")).toHaveLength(COUNT);
    const since = samples.filter((s) => s.name === "authwatch_session_status_since_seconds");
    expect(since).toHaveLength(COUNT);
    expect(since[0]?.value).toBe(1_700_000_000);
    expect(turnsSeen.size).toBeGreaterThan(5);
  });
});
