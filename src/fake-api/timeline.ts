import type { TimelineStep } from "./types.js";

export interface Timeline {
  steps: readonly TimelineStep[];
  loop: boolean;
  /** Sum of every step's `forMs` (only meaningful when looping). */
  cycleMs: number;
}

/** Checks a script once so that the per-request walk cannot fail. */
export function createTimeline(steps: readonly TimelineStep[], loop = false): Timeline {
  if (steps.length === 0) throw new RangeError("a timeline needs at least one step");
  let cycleMs = 0;
  for (const step of steps) {
    if (step.forMs !== undefined && !(Number.isFinite(step.forMs) && step.forMs >= 0)) {
      throw new RangeError(`timeline step ${step.status}: forMs must be a non-negative number`);
    }
    cycleMs += step.forMs ?? 0;
  }
  if (loop && (steps.some((step) => step.forMs === undefined) || cycleMs === 0)) {
    throw new RangeError("a looping timeline needs a positive forMs on every step");
  }
  return { steps, loop, cycleMs };
}

/**
 * The status `elapsedMs` after the timeline started. A step without `forMs` lasts for ever; a
 * timeline that does not loop stays on its last step once it has run through.
 */
export function timelineStatusAt(timeline: Timeline, elapsedMs: number): string {
  const { steps } = timeline;
  let remaining = Math.max(0, timeline.loop ? elapsedMs % timeline.cycleMs : elapsedMs);
  for (const step of steps) {
    if (step.forMs === undefined || remaining < step.forMs) return step.status;
    remaining -= step.forMs;
  }
  return steps[steps.length - 1]!.status;
}
