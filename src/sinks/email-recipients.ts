import type { DeliveryError, DeliveryOutcome } from "./sink.js";

/**
 * What earlier attempts of one mail achieved, kept with its outbox row (JSON in `progress`), so that
 * a retry asks only the recipients still pending, even after a restart.
 */
export interface EmailProgress {
  /** Mailboxes (bare, lower case) that took the mail. */
  sent: string[];
  /** Mailboxes refused for good, with the refusal: they are not asked again. */
  refused: Record<string, DeliveryError>;
}

/** How one attempt's refusals are judged: the SMTP reply classification of email-sink.ts. */
export type ClassifyRefusal = (error: unknown) => DeliveryOutcome;

/** The bare mailbox of `Name <a@b>` or `a@b`, lower case, as nodemailer names a refused recipient. */
export function mailbox(to: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(to);
  return (angle?.[1] ?? to).trim().toLowerCase();
}

/** A row's progress column; anything unreadable counts as no progress (at least once, never lost). */
export function parseEmailProgress(text: string | undefined): EmailProgress {
  const progress: EmailProgress = { sent: [], refused: {} };
  if (!text) return progress;
  try {
    const value = JSON.parse(text) as { sent?: unknown; refused?: unknown };
    if (Array.isArray(value.sent)) progress.sent = value.sent.filter((s) => typeof s === "string");
    if (value.refused && typeof value.refused === "object") {
      for (const [box, error] of Object.entries(value.refused as Record<string, Partial<DeliveryError>>)) {
        if (typeof error?.code === "string" && typeof error.message === "string") {
          progress.refused[box] = { code: error.code, message: error.message };
        }
      }
    }
  } catch {
    // Written by us, so only a hand-edited row gets here: send to everyone again.
  }
  return progress;
}

/** True when the recipient has the mail or refused it for good in an earlier attempt. */
export function isSettled(progress: EmailProgress, to: string): boolean {
  const box = mailbox(to);
  return progress.sent.includes(box) || Object.hasOwn(progress.refused, box);
}

/**
 * Judges one attempt recipient by recipient. `rejectedErrors` are nodemailer's, one per refused
 * recipient (`recipient`, `responseCode`, `response`); `allRefused` is nodemailer's error when no one
 * took the mail, else undefined (then everyone not refused has it).
 *
 * - someone refused for now (4xx): retry, to them only, carrying the progress;
 * - otherwise, nobody has it: permanent, as before;
 * - otherwise, some refused for good (5xx): delivered, their refusal kept as `partial`.
 */
export function recipientsOutcome(
  before: EmailProgress,
  attempted: readonly string[],
  rejectedErrors: readonly unknown[],
  allRefused: unknown,
  classify: ClassifyRefusal,
  recipients: readonly string[],
): DeliveryOutcome {
  const refusals = new Map<string, unknown>();
  for (const error of rejectedErrors) {
    const { recipient } = (error ?? {}) as { recipient?: unknown };
    if (typeof recipient === "string") refusals.set(recipient.toLowerCase(), error);
  }
  const progress: EmailProgress = { sent: [...before.sent], refused: { ...before.refused } };
  const deferred: Array<{ box: string; error: DeliveryError }> = [];
  for (const to of attempted) {
    const box = mailbox(to);
    const refusal = refusals.get(box);
    if (refusal === undefined) {
      // No refusal of its own: it took the mail, unless nobody did (then it waits for the retry).
      if (allRefused === undefined) progress.sent.push(box);
      else deferred.push({ box, error: errorOf(classify(allRefused)) });
      continue;
    }
    const outcome = classify(refusal);
    if (outcome.kind === "retry") deferred.push({ box, error: outcome.error });
    else progress.refused[box] = errorOf(outcome);
  }
  // Counted over today's list: a reload may have changed it since an earlier attempt.
  const sentCount = recipients.filter((to) => progress.sent.includes(mailbox(to))).length;
  const sent = `sent to ${sentCount} of ${recipients.length} recipients`;
  const refused = Object.entries(progress.refused);
  const forGood = refused.length > 0 ? `; refused for good: ${list(refused)}` : "";
  const first = deferred[0];
  if (first !== undefined) {
    // Nothing settled yet: the error reads as it always did for a mail nobody took.
    const message =
      sentCount === 0 && refused.length === 0
        ? first.error.message
        : `${sent}${forGood}; refused for now: ${list(deferred.map((d) => [d.box, d.error]))}; retrying those later`;
    return { kind: "retry", error: { code: first.error.code, message }, progress: JSON.stringify(progress) };
  }
  if (sentCount === 0) {
    if (allRefused !== undefined && before.sent.length === 0 && Object.keys(before.refused).length === 0) {
      return classify(allRefused);
    }
    const [, error] = refused[0] ?? ["", { code: "SMTP_550", message: "refused" }];
    return { kind: "permanent", error: { code: error.code, message: `${sent}${forGood}` } };
  }
  const [, error] = refused[0] ?? [];
  return error === undefined
    ? { kind: "delivered" }
    : { kind: "delivered", partial: { code: error.code, message: `${sent}${forGood}` } };
}

/** Bulk finish when nobody is left to ask (say, a reload dropped the pending recipients). */
export function finalOutcome(progress: EmailProgress, recipients: readonly string[]): DeliveryOutcome {
  return recipientsOutcome(progress, [], [], undefined, () => ({ kind: "delivered" }), recipients);
}

function errorOf(outcome: DeliveryOutcome): DeliveryError {
  // classifySmtpError never calls a refusal delivered; if it did, the refusal is still kept.
  return outcome.kind === "delivered" ? { code: "SMTP_550", message: "refused" } : outcome.error;
}

/** `a@x (550 No such user), b@y (…)`: each mailbox with the server's reply, kept short. */
function list(entries: Array<[string, DeliveryError]>): string {
  return entries.map(([box, error]) => `${box} (${replyOf(error)})`).join(", ");
}

/** The server's words inside a classified message ("…answered 451 …; retrying later"). */
function replyOf(error: DeliveryError): string {
  const reply = /\b([45]\d\d\b.*?)(?:; retrying later)?$/.exec(error.message)?.[1];
  return reply ?? error.code;
}
