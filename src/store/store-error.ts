import { AuthwatchError, EXIT } from "../errors/authwatch-error.js";

/** The state file cannot be opened or written. The message names the path and what to do about it. */
export class StoreError extends AuthwatchError {
  override name = "StoreError";
  readonly path: string;

  constructor(path: string, message: string, cause?: unknown) {
    super("STORE_ERROR", message, { cause, exitCode: EXIT.FAILURE });
    this.path = path;
  }
}

const FIX_HINT = 'point "state" in the watchlist (or AUTHWATCH_STATE) at a writable file';

/** Turns a failure to open the state file into a StoreError that says what went wrong and what to do. */
export function openFailure(path: string, cause: unknown): StoreError {
  const code = sqliteCode(cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new StoreError(
      path,
      `State file ${path} is not an authwatch database (${detail}); move it aside or ${FIX_HINT}`,
      cause,
    );
  }
  if (code?.startsWith("SQLITE_BUSY")) {
    return new StoreError(
      path,
      `State file ${path} is locked by another process (${detail}); stop the other authwatch using it or ${FIX_HINT}`,
      cause,
    );
  }
  if (code?.startsWith("SQLITE_READONLY") || code === "SQLITE_CANTOPEN" || isFsPermission(cause)) {
    return new StoreError(
      path,
      `State file ${path} cannot be written (${detail}); check that this user may write it and its folder, or ${FIX_HINT}`,
      cause,
    );
  }
  return new StoreError(path, `State file ${path} cannot be opened (${detail}); ${FIX_HINT}`, cause);
}

/** A read that failed after the store was opened (I/O error, file damaged meanwhile). */
export function readFailure(path: string, cause: unknown): StoreError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(
    path,
    `State file ${path} could not be read (${detail}); check the disk and the file`,
    cause,
  );
}

/** A write that failed after the store was opened (disk full, file made read-only, I/O error). */
export function writeFailure(path: string, cause: unknown): StoreError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(
    path,
    `State file ${path} could not be written (${detail}); check free space and permissions`,
    cause,
  );
}

export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function isFsPermission(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "ENOTDIR" || code === "EEXIST";
}
