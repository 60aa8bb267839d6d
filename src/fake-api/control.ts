import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { describeIssues, fakeSessionSchema, faultSchema } from "./config.js";
import { send } from "./respond.js";
import type { FakeIntunedApi, FaultHandle, FaultSpec } from "./types.js";

/** Where the control endpoint lives; outside the API's prefix, so no client of the API reaches it by accident. */
export const FAKE_CONTROL_PREFIX = "/_control";

/** A control body is a few hundred bytes; anything this large is a mistake. */
const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

const ref = z.strictObject({
  workspaceId: z.string().min(1),
  projectName: z.string().min(1),
  authSessionId: z.string().min(1),
});
const statusChange = ref.extend({ status: z.string().min(1), type: z.string().min(1).optional() });
/** No authSessionId: every session of the project at once ("the whole project expires"). */
const projectStatusChange = ref
  .omit({ authSessionId: true })
  .extend({ status: z.string().min(1), type: z.string().min(1).optional() });
const keyChange = z.strictObject({
  accept: z.array(z.string().min(1)).optional(),
  refuse: z.array(z.string().min(1)).optional(),
});

type Answer = { status: number; body: unknown };

/** What the control endpoint may change: the same methods tests call in-process. */
export type ControlTarget = Pick<
  FakeIntunedApi,
  "addSession" | "removeSession" | "setStatus" | "setKeyValid" | "injectFault" | "clearFaults" | "requestLog"
> & {
  /** Every session with its current status, faults aside. */
  sessions(): Array<{
    workspaceId: string;
    projectName: string;
    authSessionId: string;
    type: string;
    status: string;
  }>;
  hasSession(value: z.infer<typeof ref>): boolean;
  /** The sessions of one project, as refs. */
  projectSessions(workspaceId: string, projectName: string): Array<z.infer<typeof ref>>;
};

/**
 * The fake's runtime controls over HTTP, for a fake run as its own process (`authwatch fake-api`):
 * JSON in, JSON out, one route per method of FakeIntunedApi. Documented in docs/fake-api.md.
 */
export function createControlHandler(target: ControlTarget) {
  const faults = new Map<number, FaultHandle>();
  let nextFaultId = 1;

  /** Every session of a project at once; a project with none is most likely a typo: 404. */
  const setProjectStatus = (body: unknown): Answer => {
    const parsed = projectStatusChange.safeParse(body);
    if (!parsed.success) return { status: 400, body: { error: describeIssues(parsed.error) } };
    const { status, type, workspaceId, projectName } = parsed.data;
    const sessions = target.projectSessions(workspaceId, projectName);
    if (sessions.length === 0) {
      return {
        status: 404,
        body: { error: `no session in project ${projectName} of workspace ${workspaceId}` },
      };
    }
    for (const session of sessions) target.setStatus(session, status, type);
    return { status: 200, body: { status, sessions: sessions.length } };
  };

  const routes: Record<string, (body: unknown, rest: string) => Answer> = {
    "GET /sessions": () => ({ status: 200, body: { sessions: target.sessions() } }),
    "POST /sessions": (body) =>
      apply(fakeSessionSchema, body, (session) => {
        target.addSession(session);
        return { added: true };
      }),
    "POST /status": (body) =>
      typeof body === "object" && body !== null && !("authSessionId" in body)
        ? setProjectStatus(body)
        : apply(statusChange, body, ({ status, type, ...session }) => {
            target.setStatus(session, status, type);
            return { status };
          }),
    "POST /remove": (body) =>
      apply(ref, body, (session) => {
        const removed = target.hasSession(session);
        target.removeSession(session);
        return { removed };
      }),
    "POST /keys": (body) =>
      apply(keyChange, body, ({ accept = [], refuse = [] }) => {
        for (const key of refuse) target.setKeyValid(key, false);
        for (const key of accept) target.setKeyValid(key, true);
        // The keys themselves are not echoed: a control log should not collect them.
        return { accepted: accept.length, refused: refuse.length };
      }),
    "POST /faults": (body) =>
      apply(faultSchema, body, (fault) => {
        const id = nextFaultId++;
        faults.set(id, target.injectFault(fault as FaultSpec));
        return { id };
      }),
    "DELETE /faults": (_body, rest) => {
      if (rest === "") {
        target.clearFaults();
        faults.clear();
        return { status: 200, body: { cleared: true } };
      }
      const handle = faults.get(Number(rest));
      if (!handle) return { status: 404, body: { error: `no fault with id ${rest}` } };
      handle.remove();
      faults.delete(Number(rest));
      return { status: 200, body: { removed: true, hits: handle.hits } };
    },
    "GET /requests": () => ({ status: 200, body: { requests: target.requestLog() } }),
  };

  return async function handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> {
    const tail = path.slice(FAKE_CONTROL_PREFIX.length);
    const [, name = "", ...rest] = tail.split("/");
    const route = routes[`${req.method} /${name}`];
    if (!route) {
      send(
        res,
        404,
        JSON.stringify({ error: `no control route ${req.method} ${path}; see docs/fake-api.md` }),
      );
      return;
    }
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (error) {
      send(res, 400, JSON.stringify({ error: (error as Error).message }));
      return;
    }
    const answer = route(body, rest.join("/"));
    send(res, answer.status, JSON.stringify(answer.body));
  };
}

function apply<S extends z.ZodType>(schema: S, body: unknown, act: (value: z.infer<S>) => unknown): Answer {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { status: 400, body: { error: describeIssues(parsed.error) } };
  return { status: 200, body: act(parsed.data) };
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error("body is not valid JSON");
  }
}
