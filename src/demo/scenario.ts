import type { FakeSession } from "../fake-api/types.js";

export const DEMO_WORKSPACE = "00000000-0000-4000-8000-00000000d3e0";

/**
 * Three sessions whose status changes on a script, as Intuned would report them: one goes the whole
 * way PENDING → READY → EXPIRED → PENDING → READY, one expires and is re-authenticated, one is
 * created and becomes READY. Durations are short so the story fits in about 15 seconds.
 */
export const DEMO_SESSIONS: FakeSession[] = [
  {
    workspaceId: DEMO_WORKSPACE,
    projectName: "shop",
    authSessionId: "checkout-login",
    type: "CREDENTIALS",
    timeline: [
      { status: "PENDING", forMs: 2_000 },
      { status: "READY", forMs: 4_000 },
      { status: "EXPIRED", forMs: 3_000 },
      { status: "PENDING", forMs: 2_000 },
      { status: "READY" },
    ],
  },
  {
    workspaceId: DEMO_WORKSPACE,
    projectName: "crm",
    authSessionId: "sales-portal",
    type: "RECORDER",
    timeline: [
      { status: "READY", forMs: 5_000 },
      { status: "EXPIRED", forMs: 3_000 },
      { status: "PENDING", forMs: 2_500 },
      { status: "READY" },
    ],
  },
  {
    workspaceId: DEMO_WORKSPACE,
    projectName: "billing",
    authSessionId: "invoices-sso",
    type: "RUNTIME",
    timeline: [{ status: "PENDING", forMs: 3_500 }, { status: "READY" }],
  },
];

/** Time until every timeline above has reached its last step. */
export const DEMO_STORY_MS = 11_500;

/** Events the story produces: one per step of each timeline (the first observation included). */
export const DEMO_EXPECTED_EVENTS = DEMO_SESSIONS.reduce(
  (sum, session) => sum + (session.timeline?.length ?? 0),
  0,
);
