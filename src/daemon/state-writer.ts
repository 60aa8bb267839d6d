import type { AuthwatchEvent, TransitionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { Store, TransitionRecord } from "../store/types.js";
import type { SessionRef, SessionState } from "../types.js";

export interface StateWriterDeps {
  store: Store;
  logger: Logger;
  /** Durable sinks that want the event: their outbox rows are written in the same transaction. */
  route(event: AuthwatchEvent): string[];
  /** Called for each event after it is committed, in order. */
  publish(event: AuthwatchEvent): void;
}

export interface StateWriter {
  recordTransition(ref: SessionRef, state: SessionState, event: TransitionEvent | null): void;
  /** Health events are rare: written at once, after whatever is queued, so order is kept. */
  recordEvent(event: AuthwatchEvent, sessionKey: string | null): void;
  /** Commits everything queued now (shutdown, tests). */
  flush(): void;
}

/**
 * Group commit. Every change is durable (synchronous=FULL) before its event is published, but the
 * changes that arrive within one turn of the event loop share one transaction and so one fsync:
 * a sweep of thousands of first observations costs a handful of fsyncs, not thousands.
 * A crash before the commit loses nothing: the old state is still stored, so the next poll after
 * the restart sees the change again and emits it.
 */
export function createStateWriter(deps: StateWriterDeps): StateWriter {
  let queue: TransitionRecord[] = [];
  let scheduled = false;

  const publishAll = (events: AuthwatchEvent[]) => {
    for (const event of events) {
      try {
        deps.publish(event);
      } catch (error) {
        deps.logger.error({ err: error, eventId: event.data.eventId }, "publishing an event failed");
      }
    }
  };

  const flush = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      deps.store.recordTransitions(batch);
    } catch (error) {
      // /healthz turns 503 (store.isHealthy); the in-memory state still moves on, and the changes
      // are seen again after a restart because the stored state is the old one.
      deps.logger.error({ err: error, changes: batch.length }, "could not write state changes to the store");
      return;
    }
    publishAll(batch.flatMap((record) => (record.event ? [record.event] : [])));
  };

  return {
    recordTransition(ref, state, event) {
      queue.push({ ref, state, event, deliverTo: event ? deps.route(event) : [] });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    recordEvent(event, sessionKey) {
      flush();
      try {
        deps.store.recordEvent(event, sessionKey, deps.route(event));
      } catch (error) {
        deps.logger.error(
          { err: error, eventId: event.data.eventId },
          "could not write an event to the store",
        );
        return;
      }
      publishAll([event]);
    },
    flush,
  };
}
