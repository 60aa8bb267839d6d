import type { ErrorInfo } from "../types.js";

/** `last_error` holds `{code, message}` as JSON so history can show both without parsing prose. */
export function encodeError(error: ErrorInfo): string {
  return JSON.stringify({ code: error.code, message: error.message });
}

export function decodeError(column: string | null): ErrorInfo | null {
  if (column === null) return null;
  try {
    const value = JSON.parse(column) as Partial<ErrorInfo>;
    return { code: String(value.code ?? "UNKNOWN"), message: String(value.message ?? "") };
  } catch {
    return { code: "UNKNOWN", message: column };
  }
}
