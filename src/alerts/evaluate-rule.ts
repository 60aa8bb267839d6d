import type { AlertRule } from "../config/types.js";

/** The session's persisted state, as far as a rule cares: which status, entered when (epoch ms). */
export interface HeldStatus {
  status: string;
  since: number;
}

/**
 * A rule's persisted progress for one session: the stretch it belongs to (`since`), how many overdue
 * events went out for it, and when the last one did (epoch ms). Every timer derives from these and
 * the session's `since`, never from process memory, so a restart resumes exactly where it stopped.
 */
export interface AlertProgress {
  since: number;
  reminders: number;
  lastAt: number;
}

export interface RuleVerdict {
  /** Progress of a stretch that ended (the status was left, or left and entered again): resolve it. */
  resolve: AlertProgress | undefined;
  /** The reminder number to send now (0 for the first alert), or undefined when nothing is due. */
  due: number | undefined;
  /**
   * The clock went back behind the last reminder: persist this progress (last reminder = now), so the
   * next one waits a full `repeat` from here instead of from a time that has not come yet.
   */
  rebase: AlertProgress | undefined;
  /** When to look again (epoch ms); undefined when nothing can fall due until the session changes. */
  nextCheckAt: number | undefined;
}

/**
 * What a rule asks for now. Pure: the caller persists what it sends and asks again at nextCheckAt.
 *
 * - The first alert is due at `since + for`; each reminder at the last one's time + `repeat`. A
 *   daemon that was down across several repeats therefore sends one reminder at start, not one per
 *   missed repeat, and a restart never sends one early: the times come from the store.
 * - A silence does not change the timing: a reminder due inside one is recorded silenced and counts
 *   as sent, so the next one that is delivered is the first repeat after the silence ends.
 */
export function evaluateRule(
  rule: Pick<AlertRule, "status" | "forMs" | "repeatMs">,
  held: HeldStatus | undefined,
  progress: AlertProgress | undefined,
  now: number,
): RuleVerdict {
  const holds = held !== undefined && held.status === rule.status;
  const current = progress !== undefined && holds && held.since === progress.since ? progress : undefined;
  const resolve = progress !== undefined && current === undefined ? progress : undefined;
  const verdict: RuleVerdict = { resolve, due: undefined, rebase: undefined, nextCheckAt: undefined };
  if (!holds) return verdict;

  if (current === undefined) {
    const at = held.since + rule.forMs;
    if (now < at) return { ...verdict, nextCheckAt: at };
    return { ...verdict, due: 0, nextCheckAt: rule.repeatMs === undefined ? undefined : now + rule.repeatMs };
  }
  if (rule.repeatMs === undefined) return verdict;
  if (current.lastAt > now) {
    return { ...verdict, rebase: { ...current, lastAt: now }, nextCheckAt: now + rule.repeatMs };
  }
  const at = current.lastAt + rule.repeatMs;
  if (now < at) return { ...verdict, nextCheckAt: at };
  return { ...verdict, due: current.reminders, nextCheckAt: now + rule.repeatMs };
}

/** The progress to persist after sending reminder `due` of the stretch that began at `since`. */
export function progressAfter(since: number, due: number, now: number): AlertProgress {
  return { since, reminders: due + 1, lastAt: now };
}
