import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuthwatchEvent } from "../../src/events.js";
import { createPagerDutySink } from "../../src/sinks/pagerduty-sink.js";
import type { Sink } from "../../src/sinks/sink.js";
import { createManualClock } from "../helpers/manual-clock.js";
import {
  attemptContext,
  EXPIRED,
  FIRST_READY,
  POLL_FAILING,
  pagerDutyConfig,
  ROUTING_KEY,
  UNAUTHORIZED,
} from "./fixtures.js";
import { type PagerDutyStandIn, startPagerDutyStandIn } from "./pagerduty-stand-in.js";

const NOW = Date.parse(EXPIRED.data.observedAt) + 1_000;
const clock = createManualClock(NOW);

const READY_AGAIN: AuthwatchEvent = {
  ...EXPIRED,
  type: "authsession.ready",
  data: { ...EXPIRED.data, eventId: "evt-ready-again", from: "EXPIRED", to: "READY" },
};
const POLL_RECOVERED: AuthwatchEvent = {
  ...POLL_FAILING,
  type: "authsession.poll_recovered",
  data: { ...POLL_FAILING.data, eventId: "evt-recovered", error: null },
} as AuthwatchEvent;

/** Event types other parts are adding (contract §7, §8): the sink maps them by their type string. */
function laterEvent(type: string, data: Record<string, unknown>): AuthwatchEvent {
  return {
    type,
    timestamp: EXPIRED.timestamp,
    data: { eventId: `evt-${type}`, observedAt: EXPIRED.data.observedAt, ...data },
  } as unknown as AuthwatchEvent;
}

describe("the pagerduty sink against a PagerDuty stand-in", () => {
  let pd: PagerDutyStandIn;
  let sink: Sink;
  beforeEach(async () => {
    pd = await startPagerDutyStandIn();
    sink = createPagerDutySink(pagerDutyConfig(pd.url), { clock });
  });
  afterEach(async () => {
    await sink.close?.();
    await pd.close();
  });

  it("opens one incident on EXPIRED and closes the same one on READY", async () => {
    expect(await sink.deliver(EXPIRED, attemptContext())).toEqual({ kind: "delivered", status: 202 });
    expect(await sink.deliver(READY_AGAIN, attemptContext())).toEqual({ kind: "delivered", status: 202 });
    const [trigger, resolve] = pd.received;
    expect(trigger?.dedup_key).toBe(resolve?.dedup_key);
    expect(resolve).toEqual({
      routing_key: ROUTING_KEY,
      event_action: "resolve",
      dedup_key: trigger?.dedup_key,
    });
    expect([...pd.incidents.values()]).toEqual([
      {
        dedupKey: trigger?.dedup_key,
        status: "resolved",
        summaries: ["my-project/auth-session-123 is EXPIRED (was READY for 3d 4h)"],
      },
    ]);
  });

  it("writes a trigger a person can act on from a phone", async () => {
    await sink.deliver(EXPIRED, attemptContext());
    expect(pd.received[0]).toMatchObject({
      event_action: "trigger",
      client: "authwatch",
      payload: {
        summary: "my-project/auth-session-123 is EXPIRED (was READY for 3d 4h)",
        source: "my-project/auth-session-123",
        severity: "critical",
        timestamp: EXPIRED.data.observedAt,
        component: "my-project",
        class: "authsession.expired",
        custom_details: {
          labels: { team: "growth" },
          Status: "READY → EXPIRED",
          eventId: EXPIRED.data.eventId,
        },
      },
    });
  });

  it("turns labels holding URLs into links on the incident", async () => {
    const withRunbook = {
      ...EXPIRED,
      data: { ...EXPIRED.data, labels: { runbook: "https://wiki.example/reauth" } },
    };
    await sink.deliver(withRunbook, attemptContext());
    expect(pd.received[0]?.links).toEqual([{ href: "https://wiki.example/reauth", text: "runbook" }]);
  });

  it("keeps a session's polling incident apart, so poll_recovered never closes an EXPIRED incident", async () => {
    await sink.deliver(EXPIRED, attemptContext());
    await sink.deliver(POLL_FAILING, attemptContext());
    await sink.deliver(POLL_RECOVERED, attemptContext());
    const statuses = [...pd.incidents.values()].map((incident) => incident.status);
    expect(statuses).toEqual(["triggered", "resolved"]);
    expect(pd.received[1]).toMatchObject({ payload: { severity: "warning" } });
  });

  it("maps the event types added for overdue rules, projects and keys by their type string", async () => {
    const session = {
      workspaceId: EXPIRED.data.workspaceId,
      projectName: "shop",
      authSessionId: "checkout-login",
    };
    const events = [
      laterEvent("authsession.overdue", {
        ...session,
        status: "PENDING",
        heldForMs: 7_200_000,
        rule: "stuck",
        labels: {},
      }),
      laterEvent("authsession.overdue_resolved", {
        ...session,
        status: "PENDING",
        heldForMs: 9_000_000,
        rule: "stuck",
        labels: {},
      }),
      laterEvent("project.poll_failing", {
        workspaceId: session.workspaceId,
        projectName: "shop",
        failures: 3,
        error: { code: "TIMEOUT", message: "slow" },
      }),
      laterEvent("project.poll_recovered", {
        workspaceId: session.workspaceId,
        projectName: "shop",
        failures: 3,
      }),
      UNAUTHORIZED,
      laterEvent("watcher.authorized", {
        workspaceId: UNAUTHORIZED.data.workspaceId,
        keySource: UNAUTHORIZED.data.keySource,
      }),
    ];
    for (const event of events)
      expect(await sink.deliver(event, attemptContext())).toMatchObject({ kind: "delivered" });
    expect(pd.received.map((body) => body.event_action)).toEqual([
      "trigger",
      "resolve",
      "trigger",
      "resolve",
      "trigger",
      "resolve",
    ]);
    expect(pd.received[0]).toMatchObject({
      payload: { severity: "error", summary: "shop/checkout-login has been PENDING for 2h (rule stuck)" },
    });
    expect(pd.received[2]).toMatchObject({ payload: { severity: "warning", source: "project shop" } });
    expect([...pd.incidents.values()].map((incident) => incident.status)).toEqual([
      "resolved",
      "resolved",
      "resolved",
    ]);
  });

  it("sends nothing for an event that neither opens nor closes an incident", async () => {
    const pending = { ...FIRST_READY, type: "authsession.pending" } as AuthwatchEvent;
    expect(await sink.deliver(pending, attemptContext())).toEqual({ kind: "delivered" });
    expect(pd.received).toEqual([]);
  });

  it("retries a throttled event (429) and delivers it on the next attempt", async () => {
    pd.throttle(1);
    expect(await sink.deliver(EXPIRED, attemptContext())).toMatchObject({
      kind: "retry",
      error: { code: "HTTP_429" },
    });
    expect(await sink.deliver(EXPIRED, attemptContext(2))).toEqual({ kind: "delivered", status: 202 });
  });

  it("dead-letters an event PagerDuty refuses (400) with PagerDuty's reasons and never the routing key", async () => {
    const short = createPagerDutySink(
      pagerDutyConfig(pd.url, { routingKey: { source: "env PD_ROUTING_KEY", value: "too-short-key" } }),
      { clock },
    );
    const outcome = await short.deliver(EXPIRED, attemptContext());
    await short.close?.();
    expect(outcome).toMatchObject({
      kind: "permanent",
      error: { code: "HTTP_400", message: expect.stringContaining("Length of 'routing_key' is incorrect") },
    });
    expect(JSON.stringify(outcome)).not.toContain("too-short-key");
  });
});
