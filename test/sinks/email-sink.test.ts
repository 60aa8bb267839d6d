import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmailSink } from "../../src/sinks/email-sink.js";
import type { Sink } from "../../src/sinks/sink.js";
import { captureLog } from "../helpers/log-capture.js";
import { attemptContext, EXPIRED, emailConfig, POLL_FAILING, SMTP_PASSWORD } from "./fixtures.js";
import { closedPort } from "./receiver.js";
import { type SmtpReceiver, startSmtpReceiver } from "./smtp-receiver.js";

const NOW = Date.parse(EXPIRED.data.observedAt) + 1_000;

describe("the email sink against a real SMTP server", () => {
  let smtp: SmtpReceiver;
  let sink: Sink;
  beforeEach(async () => {
    smtp = await startSmtpReceiver({ user: "authwatch", password: SMTP_PASSWORD });
    sink = createEmailSink(emailConfig(smtp.host, smtp.port), { now: () => NOW });
  });
  afterEach(async () => {
    await sink.close?.();
    await smtp.close();
  });

  it("sends one plain-text mail with a short subject and the facts in the body", async () => {
    expect(await sink.deliver(EXPIRED, attemptContext())).toEqual({ kind: "delivered" });
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.from).toBe("authwatch@example.com");
    expect(mail?.to).toEqual(["oncall@example.com", "lead@example.com"]);
    expect(mail?.subject).toBe("[authwatch] my-project/auth-session-123 is EXPIRED");
    expect(mail?.headers["content-type"]).toMatch(/^text\/plain/);
    expect(mail?.headers["x-authwatch-event-id"]).toBe(EXPIRED.data.eventId);
    expect(mail?.body).toContain("my-project/auth-session-123 is EXPIRED (was READY for 3d 4h)\n\n");
    expect(mail?.body).toContain("Status:    READY → EXPIRED\n");
    expect(mail?.body).toContain("Labels:    team=growth\n");
  });

  it("keeps a poll failure's subject short and puts the error in the body", async () => {
    await sink.deliver(POLL_FAILING, attemptContext());
    expect(smtp.mails[0]?.subject).toBe(
      "[authwatch] my-project/auth-session-123 cannot be polled: 3 failed polls in a row",
    );
    expect(smtp.mails[0]?.body).toContain("Error:");
    expect(smtp.mails[0]?.body).toContain("(TIMEOUT)");
  });

  it("retries a transient SMTP refusal (4xx) and delivers on the next attempt", async () => {
    const sink = createEmailSink(emailConfig(smtp.host, smtp.port, { to: ["oncall@example.com"] }));
    smtp.refuseNext(451, "Try again later");
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(outcome).toMatchObject({
      kind: "retry",
      error: { code: "SMTP_451", message: expect.stringContaining("451") },
    });
    expect(await sink.deliver(EXPIRED, attemptContext(2))).toEqual({ kind: "delivered" });
    expect(smtp.mails).toHaveLength(1);
  });

  it("dead-letters a permanent refusal (5xx) with the server's reason", async () => {
    const sink = createEmailSink(emailConfig(smtp.host, smtp.port, { to: ["oncall@example.com"] }));
    smtp.refuseNext(550, "No such user here");
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(outcome).toMatchObject({
      kind: "permanent",
      error: {
        code: "SMTP_550",
        message: expect.stringMatching(
          /^SMTP 127\.0\.0\.1:\d+: the SMTP server refused the mail: 550 No such user here/,
        ),
      },
    });
  });

  it("delivers to the recipients that took the mail and names the one refused for good", async () => {
    smtp.refuseNext(550, "No such user here");
    const outcome = await sink.deliver(EXPIRED, attemptContext());
    expect(outcome).toEqual({
      kind: "delivered",
      partial: {
        code: "SMTP_550",
        message: expect.stringMatching(
          /^SMTP 127\.0\.0\.1:\d+: sent to 1 of 2 recipients; refused for good: oncall@example\.com \(550 No such user here\)$/,
        ),
      },
    });
    expect(smtp.mails[0]?.to).toEqual(["lead@example.com"]);
  });

  it("retries a recipient refused for now (451) without sending the mail again to those who took it", async () => {
    const three = createEmailSink(
      emailConfig(smtp.host, smtp.port, { to: ["a@example.com", "B <b@example.com>", "c@example.com"] }),
    );
    smtp.refuseRecipient("b@example.com", 451, "Mailbox busy, try later");
    const first = await three.deliver(EXPIRED, attemptContext());
    expect(first).toMatchObject({
      kind: "retry",
      error: {
        code: "SMTP_451",
        message: expect.stringContaining(
          "sent to 2 of 3 recipients; refused for now: b@example.com (451 Mailbox busy, try later)",
        ),
      },
    });
    const asked = smtp.rcptTo.length;
    const progress = first.kind === "retry" ? first.progress : undefined;
    expect(await three.deliver(EXPIRED, { ...attemptContext(2), progress })).toEqual({ kind: "delivered" });
    expect(smtp.rcptTo.slice(asked)).toEqual(["b@example.com"]);
    expect(smtp.mails.flatMap((mail) => mail.to).sort()).toEqual([
      "a@example.com",
      "b@example.com",
      "c@example.com",
    ]);
    // The retried mail still shows every recipient in its To: header, as the first one did.
    expect(smtp.mails[1]?.headers.to).toBe(smtp.mails[0]?.headers.to);
  });

  it("remembers a recipient refused for good while another is retried, and reports it at the end", async () => {
    const three = createEmailSink(
      emailConfig(smtp.host, smtp.port, { to: ["a@example.com", "b@example.com", "c@example.com"] }),
    );
    smtp.refuseRecipient("b@example.com", 451, "Try later");
    smtp.refuseRecipient("c@example.com", 550, "No such user", 5);
    const first = await three.deliver(EXPIRED, attemptContext());
    expect(first).toMatchObject({ kind: "retry", error: { code: "SMTP_451" } });
    const asked = smtp.rcptTo.length;
    const progress = first.kind === "retry" ? first.progress : undefined;
    expect(await three.deliver(EXPIRED, { ...attemptContext(2), progress })).toMatchObject({
      kind: "delivered",
      partial: {
        code: "SMTP_550",
        message: expect.stringContaining(
          "sent to 2 of 3 recipients; refused for good: c@example.com (550 No such user)",
        ),
      },
    });
    expect(smtp.rcptTo.slice(asked)).toEqual(["b@example.com"]);
  });

  it("keeps retrying the whole mail, as before, when every recipient refuses it for now", async () => {
    smtp.refuseRecipient("oncall@example.com", 451, "Try later");
    smtp.refuseRecipient("lead@example.com", 451, "Try later");
    expect(await sink.deliver(EXPIRED, attemptContext())).toMatchObject({
      kind: "retry",
      error: { code: "SMTP_451", message: expect.stringContaining("answered 451 Try later; retrying later") },
    });
    expect(smtp.mails).toEqual([]);
  });

  it("dead-letters refused credentials without ever showing the password", async () => {
    const wrong = createEmailSink(
      emailConfig(smtp.host, smtp.port, {
        smtp: {
          host: smtp.host,
          port: smtp.port,
          secure: false,
          user: { source: "env U", value: "authwatch" },
          password: { source: "env P", value: "wrong-PASSWORD-42" },
        },
      }),
    );
    const outcome = await wrong.deliver(EXPIRED, attemptContext());
    expect(outcome).toMatchObject({ kind: "permanent", error: { code: "SMTP_535" } });
    expect(JSON.stringify(outcome)).not.toContain("wrong-PASSWORD-42");
    expect(smtp.mails).toEqual([]);
  });

  it("writes subject and body from Liquid templates, one line for the subject", async () => {
    const templated = createEmailSink(
      emailConfig(smtp.host, smtp.port, {
        template: {
          subject: "{{ data.to }}:\n{{ session }}",
          body: "{{ headline }}\nHeld {{ heldFor }}; team {{ data.labels.team }}.\n\n{{ text }}",
        },
      }),
      { now: () => NOW },
    );
    expect(await templated.deliver(EXPIRED, attemptContext())).toEqual({ kind: "delivered" });
    expect(smtp.mails[0]?.subject).toBe("EXPIRED: my-project/auth-session-123");
    expect(smtp.mails[0]?.body).toMatch(
      /^my-project\/auth-session-123 is EXPIRED \(was READY for 3d 4h\)\nHeld 3d 4h; team growth\.\n\n/,
    );
  });

  it("sends the built-in subject when its template fails while rendering, and logs it", async () => {
    const log = captureLog();
    const templated = createEmailSink(
      emailConfig(smtp.host, smtp.port, {
        template: { subject: "{% for i in (1..100000000) %}{{ i }}{% endfor %}" },
      }),
      { now: () => NOW, logger: log.logger },
    );
    expect(await templated.deliver(EXPIRED, attemptContext())).toEqual({ kind: "delivered" });
    expect(smtp.mails[0]?.subject).toBe("[authwatch] my-project/auth-session-123 is EXPIRED");
    expect(log.text()).toContain("sent the built-in text instead");
  });

  it("retries when the server cannot be reached", async () => {
    const port = await closedPort();
    const offline = createEmailSink(emailConfig("127.0.0.1", port));
    expect(await offline.deliver(EXPIRED, attemptContext())).toMatchObject({
      kind: "retry",
      error: { code: "NETWORK_ERROR" },
    });
  });
});
