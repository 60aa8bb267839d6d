import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { AlertRule, WatchedSession } from "../config/types.js";
import type { AuthwatchEvent, OverdueEvent, OverdueResolvedEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { type AlertProgressChange, alertProgressKey } from "../store/alert-tables.js";
import type { SessionState } from "../types.js";
import { type AlertProgress, evaluateRule, progressAfter } from "./evaluate-rule.js";
import { silenceCovers } from "./silence.js";

export interface AlertEngineDeps {
  clock: Clock;
  logger: Logger;
  rules: readonly AlertRule[];
  /** Every watched session, listed ones and those discovered through `projects`. */
  sessions(): Iterable<WatchedSession>;
  sessionOf(key: string): WatchedSession | undefined;
  /** The sessions' current states (the poll handler keeps them). */
  states: ReadonlyMap<string, SessionState>;
  /** Loaded from the store at start; the engine keeps it current. */
  progress: Map<string, AlertProgress>;
  /** Queues the event with its progress change in one commit (the state writer). */
  record(event: AuthwatchEvent, sessionKey: string, change: AlertProgressChange): void;
  newEventId?: () => string;
}

/** One rule that is overdue for a session, for `status` and /sessions. */
export interface OverdueRule {
  rule: string;
  /** Epoch ms when the rule fell due (since + for). */
  overdueSince: number;
  /** Overdue events so far (first alert and reminders). */
  reminders: number;
}

export interface AlertEngine {
  /** Evaluates every rule for every session; returns when to evaluate again (epoch ms), if ever. */
  evaluateAll(): number | undefined;
  /**
   * Right after a session's state changed: resolves (beside the transition) and restarts its rules.
   * Returns when this session needs another look (epoch ms), if ever.
   */
  evaluateSession(key: string): number | undefined;
  setRules(rules: readonly AlertRule[]): void;
  overdueOf(key: string): OverdueRule[];
}

/**
 * Runs the overdue rules of contract §8 over the watched sessions: asks the pure evaluator, and hands
 * each alert to the state writer together with the progress it implies, so the event and the timer's
 * new basis are committed in one transaction. Silences are applied by the writer when it stores the
 * event; the engine's timing ignores them (a reminder inside a silence is stored silenced and counts).
 */
export function createAlertEngine(deps: AlertEngineDeps): AlertEngine {
  const { clock, states, progress } = deps;
  const newEventId = deps.newEventId ?? randomUUID;
  let rules = deps.rules;

  const base = (session: WatchedSession, rule: AlertRule, since: number, now: number) => ({
    eventId: newEventId(),
    observedAt: new Date(now).toISOString(),
    workspaceId: session.workspaceId,
    projectName: session.projectName,
    authSessionId: session.authSessionId,
    sessionType: states.get(session.key)?.sessionType ?? null,
    status: rule.status,
    since: new Date(since).toISOString(),
    rule: rule.name,
  });

  /** Returns the next check time for this pair. */
  const evaluatePair = (rule: AlertRule, session: WatchedSession, now: number): number | undefined => {
    const key = alertProgressKey(rule.name, session.key);
    const state = states.get(session.key);
    const current = progress.get(key);
    const verdict = evaluateRule(rule, state, current, now);
    if (verdict.resolve) {
      progress.delete(key);
      // How long it held: until the observation that left it, when there is one.
      const leftAt = state && state.since > verdict.resolve.since ? state.since : now;
      const event: OverdueResolvedEvent = {
        type: "authsession.overdue_resolved",
        timestamp: new Date(now).toISOString(),
        data: {
          ...base(session, rule, verdict.resolve.since, now),
          heldForMs: leftAt - verdict.resolve.since,
          reminders: verdict.resolve.reminders,
          labels: session.labels,
        },
      };
      deps.record(event, session.key, { rule: rule.name, sessionKey: session.key, progress: null });
    }
    if (verdict.rebase) progress.set(key, verdict.rebase);
    if (verdict.due !== undefined && state) {
      const next = progressAfter(state.since, verdict.due, now);
      progress.set(key, next);
      const event: OverdueEvent = {
        type: "authsession.overdue",
        timestamp: new Date(now).toISOString(),
        data: {
          ...base(session, rule, state.since, now),
          heldForMs: now - state.since,
          reminder: verdict.due,
          labels: session.labels,
        },
      };
      deps.logger.warn(
        { session: session.key, rule: rule.name, reminder: verdict.due, heldForMs: now - state.since },
        `${session.projectName}/${session.authSessionId} has been ${rule.status} too long (rule ${rule.name})`,
      );
      deps.record(event, session.key, { rule: rule.name, sessionKey: session.key, progress: next });
    }
    return verdict.nextCheckAt;
  };

  const applies = (rule: AlertRule, session: WatchedSession) =>
    rule.match === undefined || silenceCovers(rule.match, session);

  return {
    evaluateAll() {
      const now = clock.now();
      let next: number | undefined;
      for (const session of deps.sessions()) {
        for (const rule of rules) {
          if (!applies(rule, session)) continue;
          const at = evaluatePair(rule, session, now);
          if (at !== undefined && (next === undefined || at < next)) next = at;
        }
      }
      return next;
    },
    evaluateSession(key) {
      // Called for every transition: without rules there is nothing to look up.
      if (rules.length === 0) return undefined;
      const session = deps.sessionOf(key);
      if (!session) return undefined;
      const now = clock.now();
      let next: number | undefined;
      for (const rule of rules) {
        if (!applies(rule, session)) continue;
        const at = evaluatePair(rule, session, now);
        if (at !== undefined && (next === undefined || at < next)) next = at;
      }
      return next;
    },
    setRules(next) {
      const names = new Set(next.map((rule) => rule.name));
      // A rule that was removed or renamed stops; its stored rows are left and never read again.
      for (const key of progress.keys()) {
        if (!names.has(key.slice(0, key.indexOf("\u0000")))) progress.delete(key);
      }
      rules = next;
    },
    overdueOf(key) {
      const state = states.get(key);
      if (!state) return [];
      const overdue: OverdueRule[] = [];
      for (const rule of rules) {
        const current = progress.get(alertProgressKey(rule.name, key));
        if (!current || current.since !== state.since || state.status !== rule.status) continue;
        overdue.push({
          rule: rule.name,
          overdueSince: current.since + rule.forMs,
          reminders: current.reminders,
        });
      }
      return overdue;
    },
  };
}
