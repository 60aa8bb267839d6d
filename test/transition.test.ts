import { describe, expect, it } from "vitest";
import { transition } from "../src/transition.js";
import type { Observation, SessionState } from "../src/types.js";

const ref = { workspaceId: "123e4567-e89b-12d3-a456-426614174000", projectName: "p", authSessionId: "s-1" };
const T0 = Date.UTC(2026, 10, 22, 9, 12, 3);
const T1 = Date.UTC(2026, 10, 25, 16, 0, 0);
const context = { ref, labels: { team: "growth" }, now: T1, newEventId: () => "evt-1" };

const STATES = ["PENDING", "READY", "EXPIRED", "NOT_FOUND", "SUSPENDED"] as const;
const EVENT_FOR: Record<string, string> = {
  PENDING: "authsession.pending",
  READY: "authsession.ready",
  EXPIRED: "authsession.expired",
  NOT_FOUND: "authsession.not_found",
  SUSPENDED: "authsession.unknown_status",
};

function observe(status: string): Observation {
  return { status, sessionType: status === "NOT_FOUND" ? null : "CREDENTIALS", observedAt: T1 };
}

describe("transition", () => {
  for (const to of STATES) {
    it(`a first observation of ${to} emits ${EVENT_FOR[to]} with from and previousSince null`, () => {
      const result = transition(null, observe(to), context);
      expect(result.changed).toBe(true);
      expect(result.state).toEqual({
        status: to,
        sessionType: to === "NOT_FOUND" ? null : "CREDENTIALS",
        since: T1,
      });
      expect(result.event).toEqual({
        type: EVENT_FOR[to],
        timestamp: "2026-11-25T16:00:00.000Z",
        data: {
          eventId: "evt-1",
          ...ref,
          sessionType: to === "NOT_FOUND" ? null : "CREDENTIALS",
          from: null,
          to,
          observedAt: "2026-11-25T16:00:00.000Z",
          previousSince: null,
          labels: { team: "growth" },
        },
      });
    });
  }

  for (const from of STATES) {
    for (const to of STATES) {
      const previous: SessionState = { status: from, sessionType: "CREDENTIALS", since: T0 };
      if (from === to) {
        it(`${from} seen again emits nothing and keeps since`, () => {
          const result = transition(previous, observe(to), context);
          expect(result.event).toBeNull();
          expect(result.state.since).toBe(T0);
          expect(result.changed).toBe(false);
        });
      } else {
        it(`${from} → ${to} emits ${EVENT_FOR[to]} carrying from, to and previousSince`, () => {
          const result = transition(previous, observe(to), context);
          expect(result.event?.type).toBe(EVENT_FOR[to]);
          expect(result.event?.data).toMatchObject({
            from,
            to,
            previousSince: "2026-11-22T09:12:03.000Z",
            // NOT_FOUND carries no type: the last type the API gave is kept.
            sessionType: "CREDENTIALS",
          });
          expect(result.state).toEqual({ status: to, sessionType: "CREDENTIALS", since: T1 });
        });
      }
    }
  }

  it("a session first seen as NOT_FOUND has a null sessionType until the API gives one", () => {
    const first = transition(null, observe("NOT_FOUND"), context);
    expect(first.event?.data).toMatchObject({ sessionType: null });
    const second = transition(first.state, observe("READY"), context);
    expect(second.event?.data).toMatchObject({ sessionType: "CREDENTIALS", from: "NOT_FOUND" });
  });

  it("a changed session type with the same status is persisted without an event", () => {
    const previous: SessionState = { status: "READY", sessionType: "CREDENTIALS", since: T0 };
    const result = transition(
      previous,
      { status: "READY", sessionType: "RECORDER", observedAt: T1 },
      context,
    );
    expect(result.event).toBeNull();
    expect(result.changed).toBe(true);
    expect(result.state).toEqual({ status: "READY", sessionType: "RECORDER", since: T0 });
  });
});
