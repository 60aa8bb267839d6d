import { describe, expect, it } from "vitest";
import { rawRequest } from "../helpers/raw-request.js";
import { startStatusDaemon } from "../helpers/status-daemon.js";

const TOKEN = "tok-head-7c21-SECRET";
const PATHS = ["/", "/healthz", "/sessions", "/metrics", "/events", "/timeline", "/sinks"];
/** Headers that describe the connection or the framing of a body, not the answer. */
const FRAMING = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);

function parseHead(answer: string) {
  const end = answer.indexOf("\r\n\r\n");
  const [statusLine = "", ...lines] = answer.slice(0, end === -1 ? undefined : end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (!FRAMING.has(name)) headers[name] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    body: end === -1 ? answer : answer.slice(end + 4),
  };
}

/** A HEAD on its own connection; the server closes it once the answer is complete. */
async function head(port: number, path: string, authorization?: string) {
  const { answer, closed, ms } = await rawRequest(
    port,
    `HEAD ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${authorization ? `Authorization: ${authorization}\r\n` : ""}\r\n`,
  );
  return { ...parseHead(answer), closed, ms };
}

/** The status and headers a GET gets (its body is not read: /events never ends). */
async function getHead(url: string, authorization?: string) {
  const response = await fetch(url, { headers: authorization ? { authorization } : {} });
  await response.body?.cancel();
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (!FRAMING.has(name)) headers[name] = value;
  return { status: response.status, headers };
}

describe("HEAD requests to the status server", () => {
  it("get the status and headers a GET gets, no body, and end at once on every path, /events included, behind the token as for GET", async () => {
    const { url } = await startStatusDaemon({
      sessions: [{ project: "crm", id: "crm-sso", status: "READY" }],
      httpToken: TOKEN,
    });
    const port = Number(new URL(url).port);
    const bearer = `Bearer ${TOKEN}`;
    for (const path of PATHS) {
      const answer = await head(port, path, bearer);
      expect(answer.closed, `HEAD ${path} never ended`).toBe(true);
      expect(answer.ms, path).toBeLessThan(1_000);
      expect(answer.body, path).toBe("");
      const get = await getHead(`${url}${path}`, bearer);
      expect(get.status, path).toBe(200);
      expect({ status: answer.status, headers: answer.headers }, path).toEqual(get);
    }
    expect((await head(port, "/events", bearer)).headers["content-type"]).toBe(
      "text/event-stream; charset=utf-8",
    );

    // Off loopback, a HEAD without the token learns nothing more than a GET does.
    for (const path of PATHS.filter((p) => p !== "/healthz")) {
      const refused = await head(port, path);
      expect(refused.closed, path).toBe(true);
      expect(refused.status, path).toBe(401);
      expect(refused.body, path).toBe("");
      expect(refused.headers["www-authenticate"], path).toContain("Basic");
      expect((await getHead(`${url}${path}`)).status, path).toBe(401);
    }
    expect((await head(port, "/healthz")).status).toBe(200);
  });
});
