import type { Clock } from "../clock.js";
import type { MaintenanceWindow, ResolvedConfig, WatchedSession } from "../config/types.js";
import { failureForLog } from "../errors/failure-for-log.js";
import type { AuthwatchEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { AlertProgressChange } from "../store/alert-tables.js";
import type { StateStore } from "../store/state-store.js";
import type { SessionState } from "../types.js";
import { type AlertEngine, createAlertEngine, type OverdueRule } from "./alert-engine.js";
import { activeOccurrence, nextOccurrenceStart } from "./maintenance.js";
import { findSilence, findSilenceFor, type Silence } from "./silence.js";

/** Silences added from the command line take effect within this long (the contract allows 5 s). */
export const SILENCE_REFRESH_MS = 2_000;

export interface AlertRuntimeDeps {
  clock: Clock;
  logger: Logger;
  store: StateStore;
  config: ResolvedConfig;
  sessions(): Iterable<WatchedSession>;
  sessionOf(key: string): WatchedSession | undefined;
  states: ReadonlyMap<string, SessionState>;
  record(event: AuthwatchEvent, sessionKey: string, change: AlertProgressChange): void;
}

export interface AlertRuntime {
  /** For the state writer: the silence that holds for the event, by id. */
  silenceFor(event: AuthwatchEvent): string | undefined;
  /** The silence that holds for a session now, for /sessions. */
  silenceOf(session: WatchedSession): Silence | undefined;
  overdueOf(key: string): OverdueRule[];
  /** After a session's state changed: resolve at once, beside the transition event. */
  onTransition(key: string): void;
  reload(config: ResolvedConfig): void;
  stop(): void;
}

/**
 * The running side of §8: loads the rules' progress from the store, evaluates the rules on a timer
 * (at once at start, so a reminder that fell due while the daemon was down goes out now, once), and
 * re-reads the silences table every SILENCE_REFRESH_MS so `authwatch silence add` from another process
 * applies without a restart. Maintenance windows are turned into silences at each refresh.
 */
export async function startAlertRuntime(deps: AlertRuntimeDeps): Promise<AlertRuntime> {
  const { clock, logger, store } = deps;
  if (deps.config.alerts?.length && !store.loadAlertProgress) {
    logger.warn("this state store keeps no alert timers: overdue rules restart from zero after a restart");
  }
  const progress = (await store.loadAlertProgress?.()) ?? new Map();
  const engine: AlertEngine = createAlertEngine({
    clock,
    logger,
    rules: deps.config.alerts ?? [],
    sessions: deps.sessions,
    sessionOf: deps.sessionOf,
    states: deps.states,
    progress,
    record: deps.record,
  });
  let windows: readonly MaintenanceWindow[] = deps.config.maintenance ?? [];
  let stored: Silence[] = [];
  let active: Silence[] = [];
  /** Silences logged as in force, by id@start, so each start and end is logged once. */
  const announced = new Map<string, Silence>();
  let cancel: (() => void) | undefined;
  let stopped = false;
  let readFailing = false;

  // Cron arithmetic costs milliseconds; an answer holds until the occurrence ends or the next one opens.
  const windowCache = new Map<
    MaintenanceWindow,
    { from: number; until: number; occurrence: Silence | undefined }
  >();
  const occurrenceAt = (window: MaintenanceWindow, now: number): Silence | undefined => {
    const cached = windowCache.get(window);
    if (cached && cached.from <= now && now < cached.until) return cached.occurrence;
    const occurrence = activeOccurrence(window, now);
    const until = occurrence?.endsAt ?? nextOccurrenceStart(window, now) ?? Number.POSITIVE_INFINITY;
    windowCache.set(window, { from: now, until, occurrence });
    return occurrence;
  };

  const refreshSilences = async () => {
    const now = clock.now();
    try {
      stored = (await store.currentSilences?.(now)) ?? [];
      if (readFailing) logger.info("silences can be read again");
      readFailing = false;
    } catch (error) {
      // The last list read stays in force; a store that cannot be read is reported by /healthz.
      if (!readFailing)
        logger.warn({ error: failureForLog(error) }, "could not read silences; keeping the last ones read");
      readFailing = true;
    }
    const occurrences = windows.flatMap((window) => occurrenceAt(window, now) ?? []);
    active = [...stored, ...occurrences];
    const inForce = new Set<string>();
    for (const silence of active) {
      if (silence.startsAt > now) continue;
      const key = `${silence.id}@${silence.startsAt}`;
      inForce.add(key);
      if (announced.has(key)) continue;
      announced.set(key, silence);
      logger.info(
        { silence: silence.id, until: new Date(silence.endsAt).toISOString(), reason: silence.reason },
        "silence in force: matching events are stored and not delivered",
      );
    }
    for (const [key, silence] of announced) {
      if (inForce.has(key)) continue;
      announced.delete(key);
      logger.info({ silence: silence.id }, "silence over: matching events are delivered again");
    }
  };

  // Every session is evaluated only when one of them can be due (or after a reload, or when the clock
  // went back), not at each silence refresh: with 100,000 sessions a full pass costs tens of ms.
  let evaluateAt = Number.NEGATIVE_INFINITY;
  let lastTickAt = Number.NEGATIVE_INFINITY;
  const tick = async () => {
    cancel = undefined;
    await refreshSilences();
    if (stopped) return;
    const now = clock.now();
    if (now >= evaluateAt || now < lastTickAt) {
      try {
        evaluateAt = engine.evaluateAll() ?? Number.POSITIVE_INFINITY;
      } catch (error) {
        evaluateAt = Number.NEGATIVE_INFINITY;
        logger.error({ err: error }, "evaluating alert rules failed; trying again shortly");
      }
    }
    lastTickAt = now;
    const wait = Math.max(0, Math.min(evaluateAt - clock.now(), SILENCE_REFRESH_MS));
    cancel = clock.setTimer(() => void tick(), wait);
  };
  await tick();

  return {
    silenceFor: (event) => findSilence(active, event, Date.parse(event.timestamp))?.id,
    silenceOf: (session) => findSilenceFor(active, session, clock.now()),
    overdueOf: (key) => engine.overdueOf(key),
    onTransition(key) {
      const next = engine.evaluateSession(key);
      if (next !== undefined && next < evaluateAt) evaluateAt = next;
    },
    reload(config) {
      engine.setRules(config.alerts ?? []);
      evaluateAt = Number.NEGATIVE_INFINITY;
      // Applied at the next tick, within SILENCE_REFRESH_MS.
      windows = config.maintenance ?? [];
      windowCache.clear();
    },
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
