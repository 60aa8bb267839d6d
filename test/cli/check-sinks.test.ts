import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIO } from "../helpers/capture-io.js";
import { ROUTING_KEY, SMTP_PASSWORD } from "../sinks/fixtures.js";
import { startPagerDutyStandIn } from "../sinks/pagerduty-stand-in.js";
import { startReceiver } from "../sinks/receiver.js";
import { startSmtpReceiver } from "../sinks/smtp-receiver.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";

async function setUp(chatStatus: number, to = ["oncall@example.com"]) {
  const chat = await startReceiver((_, res) => res.writeHead(chatStatus).end());
  const pd = await startPagerDutyStandIn();
  const smtp = await startSmtpReceiver({ user: "authwatch", password: SMTP_PASSWORD });
  const dir = mkdtempSync(join(tmpdir(), "authwatch-check-sinks-"));
  onTestFinished(async () => {
    await Promise.all([chat.close(), pd.close(), smtp.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE },
      sessions: [{ project: "shop", id: "checkout-login" }],
      sinks: [
        { name: "chat", type: "webhook", format: "discord", url: `${chat.origin}/hooks/SECRET-PATH` },
        { name: "pager", type: "pagerduty", routingKeyEnv: "PD_KEY", url: pd.url },
        {
          name: "mail",
          type: "email",
          events: ["authsession.ready"],
          smtp: { host: "127.0.0.1", port: smtp.port, userEnv: "SMTP_USER", passwordEnv: "SMTP_PASSWORD" },
          from: "authwatch@example.com",
          to,
        },
      ],
    }),
  );
  const io = captureIO(
    { INTUNED_API_KEY: "sk-test", PD_KEY: ROUTING_KEY, SMTP_USER: "authwatch", SMTP_PASSWORD },
    dir,
  );
  return { chat, pd, smtp, io };
}

describe("authwatch check --sinks", () => {
  it("sends one marked test event to every sink, whatever its filters, and exits 0 when all accept it", async () => {
    const { chat, pd, smtp, io } = await setUp(204);
    expect(await runCli(["check", "--sinks"], io)).toBe(0);
    expect(io.stdoutText()).toContain("Sending a test event to 3 sinks:\n");
    expect(io.stdoutText()).toContain("  chat (webhook): accepted\n");
    expect(io.stdoutText()).toContain("  pager (pagerduty): accepted (trigger and resolve)\n");
    expect(io.stdoutText()).toContain("  mail (email): accepted\n");
    expect(JSON.parse(chat.requests[0]?.body ?? "").content).toContain(
      "authwatch-test/check-sinks is EXPIRED",
    );
    // PagerDuty: a trigger and its resolve, so no test incident stays open.
    expect(pd.received.map((body) => body.event_action)).toEqual(["trigger", "resolve"]);
    expect([...pd.incidents.values()].map((incident) => incident.status)).toEqual(["resolved"]);
    expect(smtp.mails[0]?.subject).toBe("[authwatch] authwatch-test/check-sinks is EXPIRED");
    expect(smtp.mails[0]?.body).toContain("test=authwatch check --sinks");
  });

  it("reports the sink that refused it, without its secrets, and exits 1", async () => {
    const { io } = await setUp(404);
    expect(await runCli(["check", "--sinks"], io)).toBe(1);
    expect(io.stdoutText()).toMatch(
      / {2}chat \(webhook\): failed: HTTP_404: POST http:\/\/127\.0\.0\.1:\d+\/…: HTTP 404/,
    );
    expect(io.stdoutText()).toContain("  mail (email): accepted\n");
    expect(io.stderrText()).toBe(
      "authwatch: 1 of 3 sinks did not accept the test event — fix what its line says and run check --sinks again\n",
    );
    expect(io.stdoutText() + io.stderrText()).not.toMatch(/SECRET-PATH|R0UT1NGKEY|PASSWORD/);
  });

  it("reports a mail that one recipient refused for good, though the others got it", async () => {
    const { smtp, io } = await setUp(204, ["oncall@example.com", "typo@example.com"]);
    smtp.refuseRecipient("typo@example.com", 550, "No such user here");
    expect(await runCli(["check", "--sinks"], io)).toBe(1);
    expect(io.stdoutText()).toMatch(
      / {2}mail \(email\): failed: SMTP_550: SMTP 127\.0\.0\.1:\d+: sent to 1 of 2 recipients; refused for good: typo@example\.com \(550 No such user here\)\n/,
    );
    expect(smtp.mails.map((mail) => mail.to)).toEqual([["oncall@example.com"]]);
  });
});
