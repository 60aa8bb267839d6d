import { Agent, type Dispatcher, request } from "undici";
import { isHttpUrl } from "../util/is-http-url.js";
import { classifyError, type ResponseHeaders } from "./classify.js";
import type { DeliveryOutcome } from "./sink.js";

export interface PostInput {
  /** May carry userinfo (`https://user:pass@host/…`): it is sent as Basic auth, never in the URL. */
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  dispatcher: Dispatcher;
  signal: AbortSignal;
  /** Read up to this many bytes of the answer (PagerDuty explains a 400 there); otherwise it is drained. */
  readBodyBytes?: number;
}

export type PostResult =
  | { answered: true; status: number; headers: ResponseHeaders; text: string }
  | { answered: false; outcome: DeliveryOutcome };

/**
 * A redirect interceptor composed into an injected dispatcher reads this per request; 0 turns it off.
 * undici's types leave the option out since v7, hence the spread instead of a literal property.
 */
const NO_REDIRECTS: object = { maxRedirections: 0 };

/** Past this, undici closes the socket instead of reading on: cheaper than draining a huge error page. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

export const ABORTED: DeliveryOutcome = {
  kind: "retry",
  error: { code: "ABORTED", message: "delivery cancelled" },
};

/**
 * One POST with one deadline for connect, headers and body together, also cancelled when the caller
 * aborts. Redirects are not followed: that would re-send the body (and its credentials) to a host
 * nobody configured. Never throws: a failure to get an answer is already a classified outcome.
 */
export async function postOnce(input: PostInput): Promise<PostResult> {
  if (input.signal.aborted) return { answered: false, outcome: ABORTED };
  const target = splitCredentials(input.url);
  if (target === undefined) {
    return {
      answered: false,
      outcome: {
        kind: "permanent",
        error: { code: "INVALID_URL", message: "the sink's URL is not an http(s) URL" },
      },
    };
  }
  const headers = { ...input.headers };
  if (target.authorization !== undefined && !hasHeader(headers, "authorization")) {
    headers.authorization = target.authorization;
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, input.timeoutMs);
  const onAbort = () => controller.abort();
  input.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await request(target.url, {
      method: "POST",
      headers,
      body: input.body,
      dispatcher: input.dispatcher,
      signal: controller.signal,
      headersTimeout: input.timeoutMs,
      bodyTimeout: input.timeoutMs,
      ...NO_REDIRECTS,
    });
    const text =
      input.readBodyBytes === undefined
        ? await response.body
            .dump({ limit: DRAIN_LIMIT_BYTES, signal: controller.signal })
            .then(() => "")
            .catch(() => "")
        : await readLimited(response.body, input.readBodyBytes);
    return { answered: true, status: response.statusCode, headers: response.headers, text };
  } catch (error) {
    if (input.signal.aborted) return { answered: false, outcome: ABORTED };
    const options = { timeoutMs: input.timeoutMs };
    if (timedOut) {
      return {
        answered: false,
        outcome: classifyError(new DOMException("deadline", "TimeoutError"), options),
      };
    }
    return { answered: false, outcome: classifyError(error, options) };
  } finally {
    clearTimeout(timer);
    input.signal.removeEventListener("abort", onAbort);
  }
}

/** The URL without userinfo, and that userinfo as a Basic `Authorization` value. Undefined when not http(s). */
export function splitCredentials(url: string): { url: string; authorization?: string } | undefined {
  if (!isHttpUrl(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return { url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  return {
    url: parsed.toString(),
    authorization: `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`,
  };
}

/** A connection pool with the sink's timeout on every phase. */
export function createSinkAgent(timeoutMs: number): Agent {
  return new Agent({
    connections: 4,
    keepAliveTimeout: 4_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs },
  });
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  limit: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        body.destroy();
        break;
      }
    }
  } catch {
    // What was read so far is all the explanation there is.
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, limit);
}
