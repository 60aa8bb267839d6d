import { chmodSync, closeSync, constants, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/** Owner only: the state file holds every session's history and the outbox of events. */
export const STATE_FILE_MODE = 0o600;
export const STATE_DIR_MODE = 0o700;

/**
 * Creates the state file's folder (0700, whatever the umask) and the file itself (0600) before
 * SQLite opens it: SQLite would create it 0644 less the umask (0666 with umask 000), and gives its
 * -wal and -shm files the main file's mode. An existing file is narrowed to 0600; a folder that
 * already existed (a systemd StateDirectory, a shared volume) is left as its owner made it.
 */
export function preparePrivateFile(path: string): void {
  const folder = dirname(path);
  const created = mkdirSync(folder, { recursive: true, mode: STATE_DIR_MODE });
  // mkdir applies the umask; chmod does not. Only the folders this call created are ours to set.
  if (created !== undefined) {
    for (let dir = folder; dir.length >= created.length; dir = dirname(dir)) {
      chmodSync(dir, STATE_DIR_MODE);
      if (dir === created) break;
    }
  }
  closeSync(openSync(path, constants.O_CREAT | constants.O_WRONLY, STATE_FILE_MODE));
  try {
    chmodSync(path, STATE_FILE_MODE);
  } catch {
    // Someone else's file we may still write (group-writable): SQLite decides whether it opens.
  }
}
