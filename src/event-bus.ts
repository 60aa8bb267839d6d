import { EventEmitter } from "eventemitter3";
import type { AuthwatchEvent } from "./events.js";

/**
 * The in-process bus every event passes through after it is persisted.
 * eventemitter3 calls listeners synchronously and ignores their promises, so listeners must not
 * throw or block: sinks never listen here; they are fed by the outbox worker's per-sink loops.
 */
export interface EventBusEvents {
  event: [event: AuthwatchEvent];
}

export type EventBus = EventEmitter<EventBusEvents>;

export function createEventBus(): EventBus {
  return new EventEmitter<EventBusEvents>();
}
