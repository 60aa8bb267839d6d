import { createTransport } from "nodemailer";
import type { AuthwatchEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { classifyError } from "./classify.js";
import type { EmailSinkConfig } from "./email-kind.js";
import { finalOutcome, isSettled, parseEmailProgress, recipientsOutcome } from "./email-recipients.js";
import { buildEmailText, type EmailText } from "./email-text.js";
import { ABORTED } from "./http-post.js";
import type { DeliveryContext, DeliveryError, DeliveryOutcome, Sink } from "./sink.js";
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
 * Recipients are judged one by one (email-recipients.ts): a retry goes only to those still pending.
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
  const classify = (error: unknown) => classifySmtpError(error, config.timeoutMs);
  const secrets = [config.smtp.user?.value, config.smtp.password?.value].filter((v): v is string => !!v);

  async function attempt(event: AuthwatchEvent, context: DeliveryContext): Promise<DeliveryOutcome> {
    const { signal } = context;
    if (signal.aborted) return ABORTED;
    const progress = parseEmailProgress(context.progress);
    // Those who took the mail in an earlier attempt, or refused it for good, are not asked again.
    const pending = config.to.filter((to) => !isSettled(progress, to));
    if (pending.length === 0) return finalOutcome(progress, config.to);
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
        // Every recipient sees the same To: header; only the pending ones are asked (RCPT TO).
        envelope: { from: config.from, to: pending },
        subject,
        text: body,
        headers: { "X-Authwatch-Event-Id": event.data.eventId, "X-Authwatch-Event-Type": event.type },
      })
      .then((info) =>
        recipientsOutcome(progress, pending, info.rejectedErrors ?? [], undefined, classify, config.to),
      )
      .catch((error: unknown) => {
        // Nobody took it (EENVELOPE): nodemailer still says why for each recipient.
        const { rejectedErrors } = (error ?? {}) as { rejectedErrors?: unknown };
        return Array.isArray(rejectedErrors) && rejectedErrors.length > 0
          ? recipientsOutcome(progress, pending, rejectedErrors, error, classify, config.to)
          : classify(error);
      });
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
        outcome = await attempt(event, context);
      } catch (error) {
        // Only a bug (or a template that threw past its fallback) gets here; never throw.
        outcome = classifyError(error, { timeoutMs: config.timeoutMs });
      }
      return nameTarget(outcome, target, secrets);
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

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0]?.trim() ?? "";
  return line.length > REPLY_MAX ? `${line.slice(0, REPLY_MAX)}…` : line;
}

function nameTarget(outcome: DeliveryOutcome, target: string, secrets: string[]): DeliveryOutcome {
  const name = (error: DeliveryError): DeliveryError => {
    let message = `${target}: ${error.message}`;
    // A server may quote the user name it refused; the password never reaches it in clear, but be sure.
    for (const secret of secrets) message = message.replaceAll(secret, "[secret]");
    return { ...error, message };
  };
  if (outcome.kind !== "delivered") return { ...outcome, error: name(outcome.error) };
  return outcome.partial ? { ...outcome, partial: name(outcome.partial) } : outcome;
}
