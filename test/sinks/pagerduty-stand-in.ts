import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** What a PagerDuty service would show: alerts grouped into incidents by dedup_key. */
export interface StandInIncident {
  dedupKey: string;
  status: "triggered" | "resolved";
  summaries: string[];
}

/**
 * A stand-in for PagerDuty's Events API v2 enqueue endpoint on 127.0.0.1: it validates each body as
 * PagerDuty documents it and answers as PagerDuty does (202 with a dedup_key, 400 with `errors`,
 * 429 when told to throttle), and keeps incidents by dedup_key.
 */
export interface PagerDutyStandIn {
  url: string;
  /** Every body received, valid or not. */
  received: Array<Record<string, unknown>>;
  incidents: Map<string, StandInIncident>;
  /** Answer the next `n` requests with 429. */
  throttle(n: number): void;
  close(): Promise<void>;
}

const ACTIONS = new Set(["trigger", "acknowledge", "resolve"]);
const SEVERITIES = new Set(["critical", "error", "warning", "info"]);

export function validatePagerDutyEvent(body: unknown): string[] {
  if (typeof body !== "object" || body === null) return ["Event object is not a JSON object"];
  const event = body as Record<string, unknown>;
  const errors: string[] = [];
  if (typeof event.routing_key !== "string" || event.routing_key.length !== 32) {
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  }
  if (typeof event.event_action !== "string" || !ACTIONS.has(event.event_action)) {
    errors.push(
      "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')",
    );
  }
  if (
    event.dedup_key !== undefined &&
    (typeof event.dedup_key !== "string" || event.dedup_key.length > 255)
  ) {
    errors.push("'dedup_key' must be a string of at most 255 characters");
  }
  if (event.event_action !== "trigger") {
    if (typeof event.dedup_key !== "string") errors.push("'dedup_key' is missing or blank");
    return errors;
  }
  const payload = event.payload as Record<string, unknown> | undefined;
  if (typeof payload !== "object" || payload === null) return [...errors, "'payload' is missing or blank"];
  if (typeof payload.summary !== "string" || payload.summary === "" || payload.summary.length > 1024) {
    errors.push("'payload.summary' is missing, blank or longer than 1024 characters");
  }
  if (typeof payload.source !== "string" || payload.source === "")
    errors.push("'payload.source' is missing or blank");
  if (typeof payload.severity !== "string" || !SEVERITIES.has(payload.severity)) {
    errors.push(
      "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
    );
  }
  if (payload.timestamp !== undefined && Number.isNaN(Date.parse(String(payload.timestamp)))) {
    errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp");
  }
  if (payload.custom_details !== undefined && typeof payload.custom_details !== "object") {
    errors.push("'payload.custom_details' must be an object");
  }
  if (event.links !== undefined && !Array.isArray(event.links)) errors.push("'links' must be an array");
  return errors;
}

export async function startPagerDutyStandIn(): Promise<PagerDutyStandIn> {
  let throttled = 0;
  const standIn: PagerDutyStandIn = {
    url: "",
    received: [],
    incidents: new Map(),
    throttle: (n) => {
      throttled = n;
    },
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answer = (status: number, body: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.method !== "POST" || req.url !== "/v2/enqueue") return answer(404, { message: "Not Found" });
      if (throttled > 0) {
        throttled--;
        return answer(429, {
          status: "throttle exceeded",
          message: "Requests for this service are arriving too quickly.",
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(400, {
          status: "invalid event",
          message: "Event object is invalid",
          errors: ["Invalid JSON"],
        });
      }
      standIn.received.push(body as Record<string, unknown>);
      const errors = validatePagerDutyEvent(body);
      if (errors.length > 0)
        return answer(400, { status: "invalid event", message: "Event object is invalid", errors });
      const event = body as { event_action: string; dedup_key?: string; payload?: { summary: string } };
      const dedupKey = event.dedup_key ?? `generated-${standIn.received.length}`;
      const incident = standIn.incidents.get(dedupKey);
      if (event.event_action === "trigger") {
        const summary = event.payload?.summary ?? "";
        if (incident && incident.status === "triggered") incident.summaries.push(summary);
        else standIn.incidents.set(dedupKey, { dedupKey, status: "triggered", summaries: [summary] });
      } else if (event.event_action === "resolve" && incident) incident.status = "resolved";
      return answer(202, { status: "success", message: "Event processed", dedup_key: dedupKey });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  standIn.url = `http://127.0.0.1:${port}/v2/enqueue`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}
