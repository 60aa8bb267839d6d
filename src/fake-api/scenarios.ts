import { DEMO_SESSIONS, DEMO_WORKSPACE } from "../demo/scenario.js";
import type { FakeSession } from "./types.js";

/** The workspace every built-in scenario uses (the demo's). */
export const SCENARIO_WORKSPACE = DEMO_WORKSPACE;

const project = (projectName: string, authSessionId: string, status: string, type = "CREDENTIALS") => ({
  workspaceId: SCENARIO_WORKSPACE,
  projectName,
  authSessionId,
  type,
  timeline: [{ status }],
});

/**
 * Ready-made session sets for `authwatch fake-api --scenario NAME`. Statuses hold until changed
 * through the control endpoint, except in `demo`, whose timelines play the `authwatch demo` story.
 */
export const SCENARIOS: Record<string, { description: string; sessions: FakeSession[] }> = {
  demo: { description: "the three scripted sessions of `authwatch demo`", sessions: DEMO_SESSIONS },
  project: {
    description: 'one project "customer-logins" with five end-user sessions and a test session',
    sessions: [
      project("customer-logins", "user-1", "READY"),
      project("customer-logins", "user-2", "READY"),
      project("customer-logins", "user-3", "PENDING"),
      project("customer-logins", "user-4", "EXPIRED", "RECORDER"),
      project("customer-logins", "user-5", "READY", "RUNTIME"),
      project("customer-logins", "user-test-1", "READY"),
    ],
  },
  empty: { description: "no sessions; add them through the control endpoint", sessions: [] },
};
