import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createControlHandler, FAKE_CONTROL_PREFIX } from "./control.js";
import { createFaultSet } from "./faults.js";
import { FAKE_API_PREFIX, FAKE_STATS_PATH, parseProjectPath, parseSessionPath } from "./path.js";
import { createRequestLog } from "./request-log.js";
import { answerBody, answerListBody, earlyAnswer, type Outcome, send, sendError } from "./respond.js";
import { createSessionStore, projectKey, refKey } from "./sessions.js";
import type { FakeIntunedApi, FakeIntunedApiOptions, FakeSession } from "./types.js";

export { FAKE_CONTROL_PREFIX } from "./control.js";
export { FAKE_API_PREFIX, FAKE_STATS_PATH, parseProjectPath, parseSessionPath } from "./path.js";

export type {
  FakeIntunedApi,
  FakeIntunedApiOptions,
  FakeSession,
  FaultSpec,
  RequestLogEntry,
  TimelineStep,
} from "./types.js";

const DEFAULT_LOG_LIMIT = 1000;
const DEFAULT_WAIT_MS = 5000;

/**
 * A simulated Intuned API on a real socket: scripted session timelines, key checks and injectable
 * faults. Used by tests, `authwatch demo` and the benchmarks, so the common path does no logging and
 * no allocation beyond the answer when the log is off and no fault is injected.
 */
export async function startFakeIntunedApi(options: FakeIntunedApiOptions): Promise<FakeIntunedApi> {
  const now = options.now ?? Date.now;
  const validKeys = new Set(options.apiKeys);
  const store = createSessionStore(now);
  // A project exists once a session was added to it, and stays when its last session is removed
  // (its list is then empty, not a 404), as a real project outlives its sessions.
  const knownProjects = new Set<string>();
  const addSession = (session: FakeSession) => {
    knownProjects.add(projectKey(session));
    store.add(session);
  };
  for (const project of options.projects ?? []) knownProjects.add(projectKey(project));
  for (const session of options.sessions ?? []) addSession(session);
  const faults = createFaultSet(now);
  for (const fault of options.faults ?? []) faults.add(fault);
  const log = createRequestLog(options.requestLogLimit ?? DEFAULT_LOG_LIMIT);
  const perSession = new Map<string, { count: number; lastAt: number }>();
  const timers = new Set<NodeJS.Timeout>();
  // Set once the API object exists (the control routes call its methods).
  let control: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> = async (
    _,
    res,
  ) => {
    sendError(res, 503);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = now();
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (path === FAKE_STATS_PATH) {
      send(res, 200, JSON.stringify(log.stats()));
      return;
    }
    if (path.startsWith(`${FAKE_CONTROL_PREFIX}/`)) return control(req, res, path);
    const ref = parseSessionPath(path);
    const key = ref ? refKey(ref) : null;
    const project = ref ?? parseProjectPath(path);
    const header = req.headers["x-api-key"];
    const keyValid = typeof header === "string" && validKeys.has(header);
    const kind = ref ? "get" : project ? "list" : "other";
    const finish = (status: Outcome) => {
      log.count(status);
      if (log.wanted()) {
        const named = project && { workspaceId: project.workspaceId, projectName: project.projectName };
        log.record({ at, path, kind, ref, project: named, keyValid, status });
      }
    };

    if (key !== null) {
      const counter = perSession.get(key);
      if (counter) {
        counter.count += 1;
        counter.lastAt = at;
      } else perSession.set(key, { count: 1, lastAt: at });
    }
    if (project === null) return finish(sendError(res, 404));
    if (req.method !== "GET") return finish(sendError(res, 405));

    const selection = faults.select(key, projectKey(project));
    const latency = selection?.latency;
    if (latency?.action.kind === "latency" && latency.action.stage !== "body") {
      faults.consume(latency);
      if (!(await waitUnlessGone(res, latency.action.ms))) return finish("aborted");
    }
    const early = earlyAnswer(selection, req, res);
    if (early !== undefined) {
      faults.consume(selection!.early!);
      return finish(early);
    }
    if (!keyValid) return finish(sendError(res, 401));

    let body: string;
    if (ref === null) {
      const records = listOf(projectKey(project));
      // A project nobody ever added a session to is unknown, as the real API's 404 says.
      if (records === undefined) return finish(sendError(res, 404));
      body = answerListBody(selection, records);
    } else {
      const entry = store.get(key!);
      const status = store.statusOf(entry);
      if (entry === undefined || status === "NOT_FOUND") return finish(sendError(res, 404));
      body = answerBody(selection, { id: entry.ref.authSessionId, type: entry.type, status });
    }
    if (selection?.body) faults.consume(selection.body);
    // A slow body only makes sense for an answer that has one, so only a 200 spends it.
    if (latency?.action.kind === "latency" && latency.action.stage === "body") {
      faults.consume(latency);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.flushHeaders();
      if (!(await waitUnlessGone(res, latency.action.ms))) return finish("aborted");
      res.end(body);
      return finish(200);
    }
    return finish(send(res, 200, body));
  }

  /** The sessions a list shows now (a timeline at NOT_FOUND is left out); undefined for an unknown project. */
  function listOf(key: string): Array<{ id: string; type: string; status: string }> | undefined {
    if (!knownProjects.has(key)) return undefined;
    const records: Array<{ id: string; type: string; status: string }> = [];
    for (const entry of store.listProject(key)) {
      const status = store.statusOf(entry);
      if (status !== "NOT_FOUND") records.push({ id: entry.ref.authSessionId, type: entry.type, status });
    }
    return records;
  }

  /**
   * Resolves true after `ms`, or false as soon as the client goes away: the request is then logged
   * when it ended (tests see an abort when it happens) and the timer is not held for nothing.
   */
  function waitUnlessGone(res: ServerResponse, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const onClose = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off("close", onClose);
        resolve(true);
      }, ms);
      timers.add(timer);
      res.once("close", onClose);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // Longer than the client pool's idle timeout, so the client closes idle sockets first and a poll
  // never lands on a socket the server is closing.
  server.keepAliveTimeout = 15_000;

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  const api: FakeIntunedApi = {
    url: `http://${urlHost}:${port}${FAKE_API_PREFIX}`,
    port,
    addSession,
    removeSession: (ref) => store.remove(ref),
    setStatus(ref, status, type) {
      knownProjects.add(projectKey(ref));
      store.setStatus(ref, status, type);
    },
    setTimeline: (ref, steps, timelineOptions) => store.setTimeline(ref, steps, timelineOptions),
    statusOf: (ref) => store.statusOf(store.get(refKey(ref))),
    setKeyValid(key, valid) {
      if (valid) validKeys.add(key);
      else validKeys.delete(key);
    },
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    requestLog: () => log.entries(),
    requestsFor(ref) {
      const counter = perSession.get(refKey(ref));
      return { count: counter?.count ?? 0, lastAt: counter?.lastAt };
    },
    stats: () => log.stats(),
    waitForRequest: (match = () => true, timeoutMs = DEFAULT_WAIT_MS) => log.waitFor(match, timeoutMs),
    close() {
      closing ??= new Promise<void>((resolve) => {
        log.close();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        // Keep-alive sockets would otherwise hold close() open until they idle out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
  control = createControlHandler({
    ...api,
    sessions: () =>
      [...store.all()].map((entry) => ({ ...entry.ref, type: entry.type, status: store.statusOf(entry) })),
    hasSession: (ref) => store.get(refKey(ref)) !== undefined,
    projectSessions: (workspaceId, projectName) =>
      [...store.listProject(projectKey({ workspaceId, projectName }))].map((entry) => entry.ref),
  });
  return api;
}
