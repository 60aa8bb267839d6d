/**
 * The one reading of a failure to get any HTTP answer (undici, libuv, an abort), shared by the
 * Intuned API client and the HTTP sinks so that both name the same failure the same way.
 * The reason is built from error codes only: undici and libuv messages can quote the host or URL.
 */
export type NetworkFailure =
  | { kind: "timeout" }
  | { kind: "aborted" }
  | {
      kind: "network";
      /** For people: `connection refused (ECONNREFUSED)`; never text copied from the error. */
      reason: string;
    };

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

const ABORT_CODES = new Set(["UND_ERR_ABORTED", "ABORT_ERR"]);

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  UND_ERR_SOCKET: "connection closed by the server",
  EPIPE: "connection closed while sending",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CLOSED: "connection pool closed",
  UND_ERR_DESTROYED: "connection pool closed",
};

/** Codes and class names are identifiers; anything else might be text that quotes the URL. */
const SAFE_WORD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function classifyNetworkFailure(error: unknown): NetworkFailure {
  const name = error instanceof Error ? error.name : "";
  const code = errorCode(error);
  if (name === "TimeoutError" || (code !== undefined && TIMEOUT_CODES.has(code))) return { kind: "timeout" };
  if (name === "AbortError" || (code !== undefined && ABORT_CODES.has(code))) return { kind: "aborted" };
  const safeCode = code !== undefined && SAFE_WORD.test(code) ? code : undefined;
  const known = safeCode === undefined ? undefined : REASONS[safeCode];
  if (known !== undefined) return { kind: "network", reason: `${known} (${safeCode})` };
  const word = safeCode ?? (SAFE_WORD.test(name) && name !== "Error" ? name : undefined);
  return { kind: "network", reason: word ?? "unknown error" };
}

/** The most specific code: the error's own, its cause's, or (Happy Eyeballs) the first attempt's. */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (cause !== undefined && cause !== error) {
    const fromCause = errorCode(cause, depth + 1);
    if (fromCause) return fromCause;
  }
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0], depth + 1);
  return undefined;
}
