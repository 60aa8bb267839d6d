import type { ErrorInfo } from "../types.js";
import { AuthwatchError } from "./authwatch-error.js";
import type { ErrorCode } from "./codes.js";

/** The `{code, message}` form used in events and JSON output; unexpected errors keep only their message. */
export function toErrorInfo(error: unknown): ErrorInfo & { code: ErrorCode } {
  if (error instanceof AuthwatchError) return { code: error.code, message: error.message };
  return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}
