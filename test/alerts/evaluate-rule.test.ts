import { describe, expect, it } from "vitest";
import { type AlertProgress, evaluateRule, progressAfter } from "../../src/alerts/evaluate-rule.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const stuckPending: { status: string; forMs: number; repeatMs: number | undefined } = {
  status: "PENDING",
  forMs: 15 * MIN,
  repeatMs: HOUR,
};
const pending = { status: "PENDING", since: T0 };

/** Drives a rule the way the daemon does: asks, persists what it sends, asks again at nextCheckAt. */
function run(rule: typeof stuckPending, until: number, from = T0, progress?: AlertProgress) {
  const sent: Array<{ reminder: number; at: number }> = [];
  let now = from;
  let current = progress;
  for (let guard = 0; guard < 1_000; guard++) {
    const verdict = evaluateRule(rule, pending, current, now);
    if (verdict.due !== undefined) {
      sent.push({ reminder: verdict.due, at: now });
      current = progressAfter(pending.since, verdict.due, now);
    }
    if (verdict.nextCheckAt === undefined || verdict.nextCheckAt > until) break;
    now = verdict.nextCheckAt;
  }
  return { sent, progress: current };
}

describe("evaluateRule", () => {
  it("waits until the status has held for `for`, counted from the persisted since", () => {
    expect(evaluateRule(stuckPending, pending, undefined, T0 + 10 * MIN)).toEqual({
      resolve: undefined,
      due: undefined,
      rebase: undefined,
      nextCheckAt: T0 + 15 * MIN,
    });
    const due = evaluateRule(stuckPending, pending, undefined, T0 + 15 * MIN);
    expect(due.due).toBe(0);
    expect(due.nextCheckAt).toBe(T0 + 75 * MIN);
  });

  it("sends the first alert, then one reminder every repeat, numbered 0, 1, 2", () => {
    const { sent } = run(stuckPending, T0 + 3 * HOUR);
    expect(sent).toEqual([
      { reminder: 0, at: T0 + 15 * MIN },
      { reminder: 1, at: T0 + 75 * MIN },
      { reminder: 2, at: T0 + 135 * MIN },
    ]);
  });

  it("alerts once when the rule has no repeat", () => {
    const once = { ...stuckPending, repeatMs: undefined };
    const { sent, progress } = run(once, T0 + 10 * HOUR);
    expect(sent).toEqual([{ reminder: 0, at: T0 + 15 * MIN }]);
    expect(evaluateRule(once, pending, progress, T0 + 10 * HOUR).nextCheckAt).toBeUndefined();
  });

  it("sends one reminder, not one per missed repeat, after the daemon was down across several", () => {
    const afterFirst = progressAfter(T0, 0, T0 + 15 * MIN);
    // Down from 12:20 until 17:00: four repeats fell due meanwhile.
    const back = T0 + 5 * HOUR;
    const verdict = evaluateRule(stuckPending, pending, afterFirst, back);
    expect(verdict.due).toBe(1);
    expect(verdict.nextCheckAt).toBe(back + HOUR);
    const { sent } = run(stuckPending, back + 90 * MIN, back, afterFirst);
    expect(sent).toEqual([
      { reminder: 1, at: back },
      { reminder: 2, at: back + HOUR },
    ]);
  });

  it("never repeats early after a restart: the next reminder is the persisted last one + repeat", () => {
    const afterFirst = progressAfter(T0, 0, T0 + 15 * MIN);
    const verdict = evaluateRule(stuckPending, pending, afterFirst, T0 + 20 * MIN);
    expect(verdict.due).toBeUndefined();
    expect(verdict.nextCheckAt).toBe(T0 + 75 * MIN);
  });

  it("does not alert for a status the rule does not watch, and resolves a stretch that ended", () => {
    const afterFirst = progressAfter(T0, 0, T0 + 15 * MIN);
    const ready = { status: "READY", since: T0 + 20 * MIN };
    expect(evaluateRule(stuckPending, ready, undefined, T0 + 5 * HOUR)).toEqual({
      resolve: undefined,
      due: undefined,
      rebase: undefined,
      nextCheckAt: undefined,
    });
    expect(evaluateRule(stuckPending, ready, afterFirst, T0 + 21 * MIN).resolve).toEqual(afterFirst);
    expect(evaluateRule(stuckPending, undefined, afterFirst, T0 + 21 * MIN).resolve).toEqual(afterFirst);
  });

  it("resolves the old stretch and starts a new one when the status was left and entered again", () => {
    const old = progressAfter(T0, 2, T0 + 2 * HOUR);
    const again = { status: "PENDING", since: T0 + 3 * HOUR };
    const verdict = evaluateRule(stuckPending, again, old, T0 + 3 * HOUR + MIN);
    expect(verdict.resolve).toEqual(old);
    expect(verdict.due).toBeUndefined();
    expect(verdict.nextCheckAt).toBe(T0 + 3 * HOUR + 15 * MIN);
  });

  it("after the clock steps back behind the last reminder, waits a full repeat from the new now", () => {
    const last = progressAfter(T0, 0, T0 + 15 * MIN);
    const stepped = T0 + 5 * MIN; // the clock went back 10 minutes
    const verdict = evaluateRule(stuckPending, pending, last, stepped);
    expect(verdict.due).toBeUndefined();
    expect(verdict.rebase).toEqual({ ...last, lastAt: stepped });
    expect(verdict.nextCheckAt).toBe(stepped + HOUR);
  });

  it("after the clock steps forward, sends one reminder, not a burst", () => {
    const last = progressAfter(T0, 0, T0 + 15 * MIN);
    const { sent } = run(stuckPending, T0 + 26 * HOUR - 1, T0 + 25 * HOUR, last);
    expect(sent).toEqual([{ reminder: 1, at: T0 + 25 * HOUR }]);
  });
});
