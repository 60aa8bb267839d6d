import { createHmac } from "node:crypto";

export interface SignInput {
  /** The message id: the event's eventId, the same on every retry so receivers can deduplicate. */
  id: string;
  /** Unix seconds of this attempt. */
  timestampSeconds: number;
  /** The exact bytes sent as the request body. */
  body: string;
  /** The base64-decoded part of a `whsec_…` secret. */
  secret: Uint8Array;
}

/** Standard Webhooks v1 signature: `v1,` + base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)). */
export function signWebhook(input: SignInput): string {
  const mac = createHmac("sha256", input.secret)
    .update(`${input.id}.${input.timestampSeconds}.${input.body}`, "utf8")
    .digest("base64");
  return `v1,${mac}`;
}

export interface WebhookHeaderInput extends Omit<SignInput, "secret"> {
  secret: Uint8Array | undefined;
}

/**
 * The Standard Webhooks headers for one attempt. Without a secret the id and timestamp are still sent
 * (receivers deduplicate on the id) and only `webhook-signature` is left out.
 */
export function buildWebhookHeaders(input: WebhookHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    "webhook-id": input.id,
    "webhook-timestamp": String(input.timestampSeconds),
  };
  if (input.secret && input.secret.length > 0) {
    headers["webhook-signature"] = signWebhook({ ...input, secret: input.secret });
  }
  return headers;
}
