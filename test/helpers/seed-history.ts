import { randomUUID } from "node:crypto";
import { openStore } from "../../src/store/store.js";
import type { TransitionRecord } from "../../src/store/types.js";
import { transition } from "../../src/transition.js";
import type { SessionRef, SessionState } from "../../src/types.js";

/** A session's past: statuses it entered, each with how long ago (ms). */
export interface SeededSession {
  ref: SessionRef;
  steps: Array<{ status: string; agoMs: number }>;
}

/** Writes a state file whose history holds these transitions at their past times, as a daemon would have. */
export function seedHistory(statePath: string, sessions: SeededSession[], now = Date.now()): void {
  const store = openStore(statePath);
  try {
    const batch: TransitionRecord[] = [];
    for (const { ref, steps } of sessions) {
      let previous: SessionState | null = null;
      for (const step of steps) {
        const at = now - step.agoMs;
        const outcome = transition(
          previous,
          { status: step.status, sessionType: "CREDENTIALS", observedAt: at },
          { ref, labels: {}, now: at, newEventId: randomUUID },
        );
        previous = outcome.state;
        batch.push({ ref, state: outcome.state, event: outcome.event, deliverTo: [] });
      }
    }
    store.recordTransitions(batch);
  } finally {
    store.close();
  }
}
