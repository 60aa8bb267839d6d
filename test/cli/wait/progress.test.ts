import { describe, expect, it } from "vitest";
import { createProgressView, type ProgressMode } from "../../../src/cli/wait/progress.js";
import { applyFailure, applyObservation, initialSessionState } from "../../../src/wait/session-state.js";
import type { WaitSessionState } from "../../../src/wait/types.js";
import { sessionRef } from "../../wait/fixtures.js";

const START = Date.UTC(2026, 10, 25, 12, 0, 0);
const error = { code: "SERVER_ERROR", message: "server error: HTTP 503" };

/** Feeds a scripted sequence of polls to a view and returns what it wrote. */
function render(mode: ProgressMode, steps: ((state: WaitSessionState) => WaitSessionState)[]): string {
  let text = "";
  let state = initialSessionState(sessionRef("auth-session-123"));
  const view = createProgressView(
    { write: (chunk: string) => (text += chunk) },
    { mode, for: "READY", startedAt: START, sessions: [state] },
  );
  steps.forEach((step, index) => {
    const previousStatus = state.status;
    state = step(state);
    view.update({ session: state, previousStatus, at: START + (index + 1) * 1_000 });
  });
  view.close(START + 10_000);
  return text;
}

const seen = (status: string, second: number) => (state: WaitSessionState) =>
  applyObservation(
    state,
    { status, sessionType: "CREDENTIALS", observedAt: START + second * 1_000 },
    "READY",
  );
const failed = (second: number) => (state: WaitSessionState) =>
  applyFailure(state, error, START + second * 1_000);

describe("progress views", () => {
  it("write one plain line per status change and one per new kind of error, never one per poll", () => {
    const text = render("plain", [
      seen("PENDING", 1),
      seen("PENDING", 2),
      failed(3),
      failed(4),
      seen("PENDING", 5),
      seen("READY", 6),
    ]);
    expect(text.split("\n")).toEqual([
      "[+1.0s] my-project/auth-session-123: PENDING",
      "[+3.0s] my-project/auth-session-123: poll failed: SERVER_ERROR server error: HTTP 503",
      "[+6.0s] my-project/auth-session-123: PENDING -> READY (READY reached)",
      "",
    ]);
  });

  it("redraw the same lines in place on a TTY", () => {
    const text = render("tty", [seen("PENDING", 1), seen("READY", 2)]);
    const frames = text.split("\u001b[1A");
    // The first frame is drawn fresh; the later ones move the cursor up over it.
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe("\r\u001b[2K\u2026 my-project/auth-session-123  PENDING -> READY  1s\n");
    expect(frames[2]).toBe("\r\u001b[2K\u2713 my-project/auth-session-123  READY  10s\n");
  });

  it("write nothing when quiet", () => {
    expect(render("quiet", [seen("PENDING", 1), failed(2), seen("READY", 3)])).toBe("");
  });
});
