import { closeSync, fsync, openSync } from "node:fs";
import type { Clock } from "../clock.js";

/** How long a commit may sit in the OS's cache before the WAL reaches the disk. */
export const WAL_SYNC_DELAY_MS = 1_000;

export interface WalSync {
  /** A commit was written: have the WAL on disk within WAL_SYNC_DELAY_MS. */
  afterWrite(): void;
  close(): void;
}

/**
 * With `synchronous = NORMAL` a commit reaches the OS when it returns, not the disk: a crash of the
 * process loses nothing, a power loss (or OS crash) may lose what the OS had not written yet — in
 * SQLite alone, everything since the last checkpoint, which on a quiet daemon can be hours. This
 * bounds that window to about a second: after a write, the WAL file is fsynced once, off the event
 * loop (libuv's thread pool), so no commit on the hot path waits for the disk.
 */
export function createWalSync(
  walPath: string,
  clock: Clock,
  onError: (error: NodeJS.ErrnoException) => void,
): WalSync {
  let fd: number | undefined;
  let cancelTimer: (() => void) | undefined;
  let syncing = false;
  let dirty = false;
  let closed = false;

  const sync = () => {
    cancelTimer = undefined;
    if (closed) return;
    if (fd === undefined) {
      try {
        fd = openSync(walPath, "r");
      } catch (error) {
        // No WAL file (yet): nothing to sync.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") onError(error as NodeJS.ErrnoException);
        return;
      }
    }
    const handle = fd;
    syncing = true;
    dirty = false;
    fsync(handle, (error) => {
      syncing = false;
      if (closed) {
        closeSync(handle);
        return;
      }
      if (error) onError(error);
      if (dirty) schedule();
    });
  };

  const schedule = () => {
    cancelTimer ??= clock.setTimer(sync, WAL_SYNC_DELAY_MS);
  };

  return {
    afterWrite() {
      dirty = true;
      if (!syncing) schedule();
    },
    close() {
      closed = true;
      cancelTimer?.();
      cancelTimer = undefined;
      // An fsync in flight closes the file when it ends; SQLite's checkpoint at close syncs the rest.
      if (fd !== undefined && !syncing) closeSync(fd);
      fd = undefined;
    },
  };
}
