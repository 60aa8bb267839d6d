import { failureForLog, type LoggedFailure } from "../errors/failure-for-log.js";
import type { Logger } from "../logger.js";
import type { LeaseGrant } from "./lease.js";

export type Role = "leader" | "standby";

export interface LeadershipOptions {
  /** One conditional claim of the lease (acquireLease bound to its pool, schema, holder and TTL). */
  acquire(): Promise<LeaseGrant | null>;
  /** Gives the lease up (clean shutdown). */
  release(): Promise<void>;
  ttlMs: number;
  logger: Logger;
  /** Called once this instance leads; it should start polling and delivering. */
  onLead(epoch: number): Promise<void> | void;
  /** Called when it stops leading; it must stop polling and delivering at once. */
  onStepDown(reason: string): Promise<void> | void;
  /** Milliseconds on a clock that never jumps (tests may inject one). */
  monotonic?: () => number;
}

export interface Leadership {
  role(): Role;
  /** The fencing token while leading. */
  epoch(): number | undefined;
  /**
   * True only while this instance leads AND its lease cannot have expired by its own monotonic clock.
   * Checked right before every poll and every sink call, so a process that wakes from a pause (SIGSTOP,
   * a long GC, a frozen VM) does nothing before it has learnt that it lost the lease.
   */
  isLeading(): boolean;
  /** While the lease's database cannot be reached: since when, and the last failure (no secret in it). */
  databaseProblem(): DatabaseProblem | undefined;
  start(): void;
  /** Steps down (if leading), gives the lease up and stops competing. */
  stop(): Promise<void>;
}

export interface DatabaseProblem {
  /** ISO time of the first failed claim since the last one that reached the database. */
  since: string;
  error: LoggedFailure;
}

/** Part of the TTL given up at the end of each lease: work stops this much before the lease could end. */
const SAFETY_FRACTION = 0.25;

/**
 * Competes for the lease and keeps it. The leader renews every TTL/3 and times each lease from the
 * moment BEFORE its renewal was sent (the database started its TTL later, so ours ends first), minus
 * a safety margin; when that moment comes without a successful renewal (database gone, process
 * paused) it steps down by itself, before the lease ends and another instance may take it. A standby
 * tries every TTL/4, so it takes over within TTL + TTL/4 of the leader's last renewal.
 */
export function createLeadership(options: LeadershipOptions): Leadership {
  const monotonic = options.monotonic ?? (() => performance.now());
  const ttl = options.ttlMs;
  const safety = Math.max(ttl * SAFETY_FRACTION, 50);
  let leading = false;
  let epoch: number | undefined;
  let databaseProblem: DatabaseProblem | undefined;
  let validUntil = Number.NEGATIVE_INFINITY;
  let stopped = true;
  let tickTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  // Role changes run one after another, so onLead and onStepDown never overlap.
  let changes: Promise<void> = Promise.resolve();

  const queueChange = (change: () => Promise<void> | void) => {
    changes = changes.then(change).catch((error: unknown) => {
      options.logger.error({ err: error }, "changing role failed");
    });
    return changes;
  };

  const stepDown = (reason: string) => {
    if (!leading) return changes;
    leading = false;
    const lostEpoch = epoch;
    epoch = undefined;
    clearTimeout(expiryTimer);
    options.logger.warn({ epoch: lostEpoch, reason }, "stepping down to standby");
    return queueChange(() => options.onStepDown(reason));
  };

  const armExpiry = () => {
    clearTimeout(expiryTimer);
    expiryTimer = setTimeout(
      () => {
        if (leading && monotonic() >= validUntil) stepDown("the lease could not be renewed in time");
        else if (leading) armExpiry();
      },
      Math.max(0, validUntil - monotonic()),
    );
  };

  const tick = async () => {
    const sentAt = monotonic();
    let grant: LeaseGrant | null | undefined;
    try {
      grant = await options.acquire();
    } catch (error) {
      // Keep leading on the lease we have; the expiry timer steps down if renewals keep failing.
      databaseProblem = {
        since: databaseProblem?.since ?? new Date().toISOString(),
        error: failureForLog(error),
      };
      options.logger.warn(
        { error: databaseProblem.error, role: leading ? "leader" : "standby" },
        "could not reach the lease",
      );
    }
    if (grant !== undefined) databaseProblem = undefined;
    if (stopped) return;
    if (grant && sentAt + ttl - safety > monotonic()) {
      if (leading && grant.epoch !== epoch) {
        await stepDown("the lease epoch changed under us");
      } else {
        validUntil = sentAt + ttl - safety;
        if (!leading) {
          leading = true;
          epoch = grant.epoch;
          options.logger.info({ epoch }, "leading: this instance polls, writes and delivers");
          armExpiry();
          let started = true;
          await queueChange(async () => {
            try {
              await options.onLead(grant.epoch);
            } catch (error) {
              started = false;
              options.logger.error({ err: error, epoch }, "could not start leading; giving the lease up");
            }
          });
          if (!started) {
            await stepDown("could not start leading");
            await options.release().catch(() => undefined);
          }
        } else {
          armExpiry();
        }
      }
    } else if (grant === null && leading) {
      await stepDown("another instance holds the lease");
    }
    if (stopped) return;
    tickTimer = setTimeout(() => void tick(), leading ? ttl / 3 : ttl / 4);
  };

  return {
    role: () => (leading ? "leader" : "standby"),
    epoch: () => epoch,
    isLeading: () => leading && monotonic() < validUntil,
    databaseProblem: () => databaseProblem,
    start() {
      if (!stopped) return;
      stopped = false;
      void tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(tickTimer);
      const wasLeading = leading;
      await stepDown("shutting down");
      await changes;
      if (wasLeading) {
        await options.release().catch((error: unknown) => {
          options.logger.warn(
            { error: failureForLog(error) },
            "could not release the lease; it expires by itself",
          );
        });
      }
    },
  };
}
