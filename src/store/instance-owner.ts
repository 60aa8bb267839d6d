import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Database } from "better-sqlite3";
import type { Clock } from "../clock.js";
import { AuthwatchError, EXIT } from "../errors/authwatch-error.js";
import type { Logger } from "../logger.js";

/** How often the daemon that owns the state file says it is still alive. */
export const OWNER_HEARTBEAT_MS = 10_000;
/**
 * A holder silent for this long is gone (SIGKILL, power cut, a host that left the shared volume):
 * the next `watch` takes the file over. On the holder's own host a dead PID is enough, at once.
 */
export const OWNER_STALE_MS = 30_000;

export interface InstanceOwnerRow {
  pid: number;
  host: string;
  token: string;
  heartbeat_at: number;
}

/** A second `watch` on a state file another one holds: exit 2, naming the file and the holder. */
export class StateInUseError extends AuthwatchError {
  override name = "StateInUseError";
  constructor(path: string, holder: InstanceOwnerRow, ageMs: number) {
    const seen = Math.max(0, Math.round(ageMs / 1000));
    super(
      "STATE_IN_USE",
      `state file ${path} is in use by another authwatch watch (pid ${holder.pid} on host ${holder.host}, ` +
        `alive ${seen}s ago) — stop that one first, or give this one another "state"; ` +
        `a holder that died is taken over once it has been silent for ${OWNER_STALE_MS / 1000}s`,
      { exitCode: EXIT.USAGE },
    );
  }
}

export interface InstanceOwnerOptions {
  path: string;
  clock: Clock;
  logger: Logger;
  /** Defaults: this process and host; tests of the decision pass their own. */
  pid?: number;
  host?: string;
  isPidAlive?: (pid: number) => boolean;
}

export interface InstanceOwner {
  /** Gives the file up (a clean stop): the next `watch` starts at once. */
  release(): void;
}

/**
 * Makes this process the one `watch` of a SQLite state file: an owner row in the file itself (pid,
 * host, heartbeat), so that the claim travels with the file, also on a volume two hosts mount. The
 * row is read and written in one immediate transaction, so two daemons starting at once cannot
 * both win. Throws StateInUseError while another holder is alive.
 */
export function claimInstance(db: Database, options: InstanceOwnerOptions): InstanceOwner {
  const { clock, logger, path } = options;
  const pid = options.pid ?? process.pid;
  const host = options.host ?? hostname();
  const isAlive = options.isPidAlive ?? isPidAlive;
  const token = randomUUID();
  db.exec(`CREATE TABLE IF NOT EXISTS instance_owner (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    token TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL
  )`);
  const read = db.prepare<[], InstanceOwnerRow>("SELECT pid, host, token, heartbeat_at FROM instance_owner");
  const write = db.prepare(
    "INSERT OR REPLACE INTO instance_owner (id, pid, host, token, heartbeat_at) VALUES (1, ?, ?, ?, ?)",
  );
  const beat = db.prepare("UPDATE instance_owner SET heartbeat_at = ? WHERE token = ?");
  const remove = db.prepare("DELETE FROM instance_owner WHERE token = ?");

  db.transaction(() => {
    const holder = read.get();
    const now = clock.now();
    if (holder) {
      const ageMs = now - holder.heartbeat_at;
      // A heartbeat from the future (a wall clock stepped back) counts as fresh: refusing is safe.
      const fresh = ageMs < OWNER_STALE_MS;
      const alive = holder.host !== host || isAlive(holder.pid);
      if (fresh && alive && !(holder.host === host && holder.pid === pid)) {
        throw new StateInUseError(path, holder, ageMs);
      }
      logger.warn(
        { path, pid: holder.pid, host: holder.host },
        "taking over the state file from an authwatch that is gone",
      );
    }
    write.run(pid, host, token, now);
  }).immediate();

  let cancel: (() => void) | undefined;
  let warned = false;
  const heartbeat = () => {
    try {
      if (beat.run(clock.now(), token).changes === 0 && !warned) {
        warned = true;
        logger.error(
          { path },
          "another authwatch took over this state file (this one was silent too long); stop one of them",
        );
      }
    } catch (error) {
      // A full disk fails this too; the state writer already reports it, and the row stays ours.
      logger.debug({ err: error }, "could not refresh the state file's owner heartbeat");
    }
    cancel = clock.setTimer(heartbeat, OWNER_HEARTBEAT_MS);
  };
  cancel = clock.setTimer(heartbeat, OWNER_HEARTBEAT_MS);

  return {
    release() {
      cancel?.();
      cancel = undefined;
      try {
        remove.run(token);
      } catch {
        // A stale row is taken over by the next start anyway (dead PID, or silent for 30 s).
      }
    },
  };
}

/** `kill(pid, 0)` asks the kernel without sending anything; EPERM means it exists, owned by another user. */
function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
