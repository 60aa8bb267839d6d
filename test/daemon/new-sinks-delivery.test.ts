import { describe, expect, it, onTestFinished } from "vitest";
import { startDaemonHarness, TEST_WORKSPACE } from "../helpers/daemon-harness.js";
import { ROUTING_KEY, SMTP_PASSWORD } from "../sinks/fixtures.js";
import { startPagerDutyStandIn } from "../sinks/pagerduty-stand-in.js";
import { startSmtpReceiver } from "../sinks/smtp-receiver.js";

const WAIT = { timeout: 20_000, interval: 50 };
const ref = (authSessionId: string) => ({ workspaceId: TEST_WORKSPACE, projectName: "shop", authSessionId });

describe("pagerduty and email sinks in a running daemon", () => {
  it("go through the outbox: a throttled trigger is retried, an incident opens and closes, a refused mail is dead-lettered", async () => {
    const pd = await startPagerDutyStandIn();
    const smtp = await startSmtpReceiver({ user: "authwatch", password: SMTP_PASSWORD });
    onTestFinished(async () => {
      await Promise.all([pd.close(), smtp.close()]);
    });
    pd.throttle(2);
    smtp.refuseNext(550, "Mailbox unavailable");
    const timeline = [
      // Long enough that a loaded machine's first poll still sees READY first.
      { status: "READY", forMs: 2_000 },
      { status: "EXPIRED", forMs: 2_000 },
      { status: "READY" },
    ];
    const { events, history, log } = await startDaemonHarness({
      sessions: [{ ...ref("checkout-login"), timeline }],
      watchlist: {
        sinks: [
          { name: "pager", type: "pagerduty", routingKeyEnv: "PD_KEY", url: pd.url },
          {
            name: "mail",
            type: "email",
            events: ["authsession.expired"],
            smtp: { host: "127.0.0.1", port: smtp.port, userEnv: "SMTP_USER", passwordEnv: "SMTP_PASSWORD" },
            from: "authwatch@example.com",
            to: ["oncall@example.com"],
          },
        ],
      },
      env: { PD_KEY: ROUTING_KEY, SMTP_USER: "authwatch", SMTP_PASSWORD },
    });
    await expect
      .poll(() => events.map((event) => event.type), WAIT)
      .toEqual(["authsession.ready", "authsession.expired", "authsession.ready"]);
    // The first READY is a first observation: it resolves nothing that exists, which PagerDuty accepts.
    await expect
      .poll(() => [...pd.incidents.values()].map((incident) => incident.status), WAIT)
      .toEqual(["resolved"]);
    expect([...pd.incidents.values()][0]?.summaries).toEqual([
      expect.stringMatching(/^shop\/checkout-login is EXPIRED \(was READY for [^)]+\)$/),
    ]);
    await expect
      .poll(
        () =>
          history().flatMap((entry) =>
            entry.deliveries.filter((d) => d.sink === "mail").map((d) => d.status),
          ),
        WAIT,
      )
      .toEqual(["dead"]);
    const mail = history().flatMap((entry) => entry.deliveries.filter((d) => d.sink === "mail"))[0];
    expect(mail?.lastError).toMatchObject({
      code: "SMTP_550",
      message: expect.stringContaining("550 Mailbox unavailable"),
    });
    const pager = history().flatMap((entry) => entry.deliveries.filter((d) => d.sink === "pager"));
    expect(pager.map((d) => d.status)).toEqual(["delivered", "delivered", "delivered"]);
    expect(Math.max(...pager.map((d) => d.attempts))).toBeGreaterThan(1);
    expect(log.text()).not.toContain(ROUTING_KEY);
    expect(log.text()).not.toContain(SMTP_PASSWORD);
  }, 30_000);
});
