import { describe, expect, it } from "vitest";
import { findSilence, isEmptyMatch, type Silence, silenceCovers } from "../../src/alerts/silence.js";
import type { AuthwatchEvent } from "../../src/events.js";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const session = { projectName: "billing", authSessionId: "billing-login", labels: { team: "growth" } };

const silence = (match: Silence["match"], startsAt = T0, endsAt = T0 + 3_600_000): Silence => ({
  id: "sil_1",
  match,
  startsAt,
  endsAt,
  reason: "rotation",
  createdAt: T0,
});

const expired: AuthwatchEvent = {
  type: "authsession.expired",
  timestamp: new Date(T0).toISOString(),
  data: {
    eventId: "e1",
    workspaceId: "123e4567-e89b-12d3-a456-426614174000",
    projectName: "billing",
    authSessionId: "billing-login",
    sessionType: "CREDENTIALS",
    from: "READY",
    to: "EXPIRED",
    observedAt: new Date(T0).toISOString(),
    previousSince: null,
    labels: { team: "growth" },
  },
};

describe("silences", () => {
  it("cover a session by name, by project or by label, and every given key must hold", () => {
    expect(
      silenceCovers({ sessions: [{ projectName: "billing", authSessionId: "billing-login" }] }, session),
    ).toBe(true);
    expect(silenceCovers({ sessions: [{ projectName: "billing", authSessionId: "other" }] }, session)).toBe(
      false,
    );
    expect(silenceCovers({ project: "billing" }, session)).toBe(true);
    expect(silenceCovers({ project: "shop" }, session)).toBe(false);
    expect(silenceCovers({ labels: { team: "growth" } }, session)).toBe(true);
    expect(silenceCovers({ labels: { team: "core" } }, session)).toBe(false);
    expect(silenceCovers({ project: "billing", labels: { team: "core" } }, session)).toBe(false);
  });

  it("hold from their start up to (not including) their end", () => {
    const list = [silence({ project: "billing" })];
    expect(findSilence(list, expired, T0 - 1)).toBeUndefined();
    expect(findSilence(list, expired, T0)?.id).toBe("sil_1");
    expect(findSilence(list, expired, T0 + 3_599_999)?.id).toBe("sil_1");
    expect(findSilence(list, expired, T0 + 3_600_000)).toBeUndefined();
  });

  it("never silence an event about an API key, which concerns every session", () => {
    const refused: AuthwatchEvent = {
      type: "watcher.unauthorized",
      timestamp: new Date(T0).toISOString(),
      data: {
        eventId: "u1",
        workspaceId: "w",
        keySource: "env INTUNED_API_KEY",
        error: { code: "UNAUTHORIZED", message: "401" },
        observedAt: "",
      },
    };
    expect(findSilence([silence({ labels: {} })], refused, T0)).toBeUndefined();
  });

  it("know when they name nothing", () => {
    expect(isEmptyMatch({})).toBe(true);
    expect(isEmptyMatch({ labels: {} })).toBe(true);
    expect(isEmptyMatch({ project: "billing" })).toBe(false);
  });
});
