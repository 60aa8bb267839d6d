import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { FaultSelection } from "./faults.js";
import type { RequestLogEntry } from "./types.js";

export type Outcome = RequestLogEntry["status"];

const MALFORMED_JSON = '{"id": "auth-session-123", "status": ';

/** A status or reset fault answers before the key is even checked, as a failing gateway would. */
export function earlyAnswer(
  selection: FaultSelection | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Outcome | undefined {
  const action = selection?.early?.action;
  if (action?.kind === "reset") {
    req.socket.destroy();
    return "reset";
  }
  if (action?.kind === "status") {
    const extra = action.retryAfter === undefined ? {} : { "retry-after": String(action.retryAfter) };
    return sendError(res, action.status, extra);
  }
  return undefined;
}

/** The 200 body, changed by a body fault if one applies. */
export function answerBody(
  selection: FaultSelection | undefined,
  record: { id: string; type: string; status: string },
): string {
  const action = selection?.body?.action;
  switch (action?.kind) {
    case "malformedJson":
      return MALFORMED_JSON;
    case "wrongShape":
      return JSON.stringify(action.body ?? { id: record.id, type: record.type });
    case "unknownStatus":
      return JSON.stringify({ ...record, status: action.status ?? "SUSPENDED" });
    case "differentId":
      return JSON.stringify({ ...record, id: action.id ?? `${record.id}-other` });
    default:
      return JSON.stringify(record);
  }
}

/** The list endpoint's 200 body, changed by a body fault if one applies (differentId has no list form). */
export function answerListBody(
  selection: FaultSelection | undefined,
  records: Array<{ id: string; type: string; status: string }>,
): string {
  const action = selection?.body?.action;
  switch (action?.kind) {
    case "malformedJson":
      return `[${MALFORMED_JSON}`;
    case "wrongShape":
      // An object where the array belongs: wrong even when the project is empty.
      return JSON.stringify(action.body ?? { items: records });
    case "unknownStatus":
      return JSON.stringify(records.map((record) => ({ ...record, status: action.status ?? "SUSPENDED" })));
    default:
      return JSON.stringify(records);
  }
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  extra: Record<string, string> = {},
): number {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
  return status;
}

export function sendError(res: ServerResponse, status: number, extra: Record<string, string> = {}): number {
  return send(res, status, JSON.stringify({ error: STATUS_CODES[status] ?? "error" }), extra);
}
