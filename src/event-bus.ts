import { EventEmitter } from "eventemitter3";
import type { AuthwatchEvent } from "./events.js";

/**
 * The in-process bus every event passes through after it is persisted.
 * eventemitter3 calls listeners synchronously and ignores their promises, so listeners must not
 * throw or block: sinks never listen here; they are fed by the outbox worker's per-sink loops.
 */
export interface EventBusEvents {
  /** An event to act on: stored and not silenced. */
  event: [event: AuthwatchEvent];
  /** Every event as it is stored, silenced ones included (with the silence's id): /events shows them all. */
  stored: [event: AuthwatchEvent, silencedBy: string | undefined];
}

export type EventBus = EventEmitter<EventBusEvents>;

export function createEventBus(): EventBus {
  return new EventEmitter<EventBusEvents>();
}
