import { createTransport } from "nodemailer";
import type { AuthwatchEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { classifyError } from "./classify.js";
import type { EmailSinkConfig } from "./email-kind.js";
import { buildEmailText, type EmailText } from "./email-text.js";
import { ABORTED } from "./http-post.js";
import type { DeliveryOutcome, Sink } from "./sink.js";
import { compiledOrNone, renderOrFallback, templateScope } from "./template.js";

export interface EmailSinkDeps {
  now?: () => number;
  /** Where a template that fails to render is reported. */
  logger?: Logger;
}

/** A reply text is the server's words; it may quote an address, never more than this much. */
const REPLY_MAX = 200;

/**
 * Sends each event as one plain-text mail over SMTP with nodemailer. 4xx replies and connection
 * failures are retried; a 5xx reply is permanent (the same message would be refused again).
 */
export function createEmailSink(config: EmailSinkConfig, deps: EmailSinkDeps = {}): Sink {
  const subjectTemplate = compiledOrNone(config.template?.subject);
  const bodyTemplate = compiledOrNone(config.template?.body);
  const render = (event: AuthwatchEvent, at: number): EmailText => {
    const builtIn = buildEmailText(event, at);
    const onError = (message: string) =>
      deps.logger?.warn(
        { sink: config.name, eventId: event.data.eventId },
        `the sink's template could not be rendered (${message}); sent the built-in text instead`,
      );
    const subject = renderOrFallback(
      subjectTemplate,
      templateScope(event, at, builtIn.subject),
      builtIn.subject,
      onError,
    );
    return {
      // One line: a subject is a header.
      subject: subject.replace(/\s+/g, " ").trim() || builtIn.subject,
      body: renderOrFallback(bodyTemplate, templateScope(event, at, builtIn.body), builtIn.body, onError),
    };
  };
  const now = deps.now ?? Date.now;
  const target = `SMTP ${config.smtp.host}:${config.smtp.port}`;
  const secrets = [config.smtp.user?.value, config.smtp.password?.value].filter((v): v is string => !!v);

  async function attempt(event: AuthwatchEvent, signal: AbortSignal): Promise<DeliveryOutcome> {
    if (signal.aborted) return ABORTED;
    const { subject, body } = render(event, now());
    // One connection per mail: alerts are rare, and nothing is left open between them.
    const transport = createTransport({
      host: config.smtp.host,
      port: config.smtp.port,
      secure: config.smtp.secure,
      ...(config.smtp.user && config.smtp.password
        ? { auth: { user: config.smtp.user.value, pass: config.smtp.password.value } }
        : {}),
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    let onAbort: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<DeliveryOutcome>((resolve) => {
      onAbort = () => resolve(ABORTED);
      signal.addEventListener("abort", onAbort, { once: true });
      timer = setTimeout(
        () =>
          resolve(
            classifyError(new DOMException("deadline", "TimeoutError"), { timeoutMs: config.timeoutMs }),
          ),
        // connect, greeting and each reply have their own timeout; this bounds the whole conversation.
        config.timeoutMs * 3,
      );
    });
    const sent = transport
      .sendMail({
        from: config.from,
        to: config.to,
        subject,
        text: body,
        headers: { "X-Authwatch-Event-Id": event.data.eventId, "X-Authwatch-Event-Type": event.type },
      })
      .then((info): DeliveryOutcome => partialOutcome(info, config.to.length, config.timeoutMs))
      .catch((error: unknown) => classifySmtpError(error, config.timeoutMs));
    try {
      return await Promise.race([sent, stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener("abort", onAbort);
      transport.close();
    }
  }

  return {
    config,
    durable: true,
    async deliver(event, context) {
      let outcome: DeliveryOutcome;
      try {
        outcome = await attempt(event, context.signal);
      } catch (error) {
        // Only a bug (or a template that threw past its fallback) gets here; never throw.
        outcome = classifyError(error, { timeoutMs: config.timeoutMs });
      }
      return outcome.kind === "delivered" ? outcome : nameTarget(outcome, target, secrets);
    },
  };
}

/** 4xx: try again later; 5xx: the server refuses this mail for good; no reply: the connection failed. */
export function classifySmtpError(error: unknown, timeoutMs: number): DeliveryOutcome {
  const { responseCode, response } = (error ?? {}) as { responseCode?: unknown; response?: unknown };
  if (typeof responseCode === "number" && responseCode >= 400 && responseCode < 600) {
    const reply = typeof response === "string" ? firstLine(response) : String(responseCode);
    const code = `SMTP_${responseCode}` as const;
    // 503 is "bad sequence of commands": the session's state, not the message (nodemailer agrees).
    if (responseCode < 500 || responseCode === 503) {
      return { kind: "retry", error: { code, message: `the SMTP server answered ${reply}; retrying later` } };
    }
    return { kind: "permanent", error: { code, message: `the SMTP server refused the mail: ${reply}` } };
  }
  return classifyError(error, { timeoutMs });
}

/**
 * The server took the mail for some recipients and refused others. A transient refusal is retried
 * (those who got it may get it twice: delivery is at least once); a permanent one is dead-lettered
 * with the reason, saying how many did get it.
 */
function partialOutcome(
  info: { rejected?: unknown[] | undefined; rejectedErrors?: unknown[] | undefined },
  recipients: number,
  timeoutMs: number,
): DeliveryOutcome {
  const errors = info.rejectedErrors ?? [];
  if ((info.rejected ?? []).length === 0 || errors.length === 0) return { kind: "delivered" };
  const outcomes = errors.map((error) => classifySmtpError(error, timeoutMs));
  const worst = outcomes.find((outcome) => outcome.kind === "retry") ?? outcomes[0];
  if (worst === undefined || worst.kind === "delivered") return { kind: "delivered" };
  const got = recipients - errors.length;
  return {
    ...worst,
    error: { ...worst.error, message: `sent to ${got} of ${recipients} recipients; ${worst.error.message}` },
  };
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0]?.trim() ?? "";
  return line.length > REPLY_MAX ? `${line.slice(0, REPLY_MAX)}…` : line;
}

function nameTarget(outcome: DeliveryOutcome, target: string, secrets: string[]): DeliveryOutcome {
  if (outcome.kind === "delivered") return outcome;
  let message = `${target}: ${outcome.error.message}`;
  // A server may quote the user name it refused; the password never reaches it in clear, but be sure.
  for (const secret of secrets) message = message.replaceAll(secret, "[secret]");
  return { ...outcome, error: { ...outcome.error, message } };
}
