/**
 * Standard Webhooks secrets are `whsec_` + base64; the HMAC key is the decoded bytes. Undefined
 * when the text is not such a secret. Shared by config resolution and verifyWebhookSignature,
 * which accepts the string as receivers hold it.
 */
export function decodeWebhookSecret(text: string): Uint8Array | undefined {
  const body = text.trim();
  const encoded = body.startsWith("whsec_") ? body.slice("whsec_".length) : "";
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(encoded, "base64"));
}
