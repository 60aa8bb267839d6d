import { timingSafeEqual } from "node:crypto";
import { signWebhook } from "./sign.js";
import { decodeWebhookSecret } from "./webhook-secret.js";

export interface VerifyInput {
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body, exactly as received. */
  body: string;
  /** The `whsec_…` secret as receivers hold it, or its base64-decoded bytes. */
  secret: string | Uint8Array;
  /** Unix seconds now; default the system clock. */
  nowSeconds?: number;
  /** How old or new a timestamp may be, in seconds (replay protection). Default 300. */
  toleranceSeconds?: number;
}

export type VerifyResult = { ok: true; id: string } | { ok: false; reason: string };

const header = (headers: VerifyInput["headers"], name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Receiver-side check of a Standard Webhooks signature, for Node programs that receive authwatch's
 * webhooks (and the demo's receiver). Any `v1,` entry of the space-separated list may match, which
 * is what lets a sender rotate secrets.
 */
export function verifyWebhookSignature(input: VerifyInput): VerifyResult {
  const id = header(input.headers, "webhook-id");
  const timestamp = header(input.headers, "webhook-timestamp");
  const signatures = header(input.headers, "webhook-signature");
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing webhook-* headers" };
  const seconds = Number(timestamp);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(seconds) || Math.abs(now - seconds) > (input.toleranceSeconds ?? 300)) {
    return { ok: false, reason: "timestamp outside the tolerance" };
  }
  const secret = typeof input.secret === "string" ? decodeWebhookSecret(input.secret) : input.secret;
  if (secret === undefined) return { ok: false, reason: 'the secret is not "whsec_" followed by base64' };
  const expected = Buffer.from(signWebhook({ id, timestampSeconds: seconds, body: input.body, secret }));
  for (const candidate of signatures.split(" ")) {
    const given = Buffer.from(candidate);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id };
  }
  return { ok: false, reason: "no signature matches" };
}
