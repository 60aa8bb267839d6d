import { createHash, timingSafeEqual } from "node:crypto";

export type CredentialCheck = "ok" | "missing" | "wrong";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Checks an Authorization header against the token: `Bearer TOKEN`, or HTTP Basic with the token as
 * the password and any user name (what browsers and Prometheus' basic_auth send). Both sides are
 * hashed first so the comparison takes the same time whatever the length or content of the guess.
 */
export function checkCredentials(header: string | undefined, token: string): CredentialCheck {
  if (!header) return "missing";
  const space = header.indexOf(" ");
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  let presented: string | undefined;
  if (scheme === "bearer") presented = value;
  else if (scheme === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    presented = colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  if (presented === undefined || space === -1) return "wrong";
  return timingSafeEqual(digest(presented), digest(token)) ? "ok" : "wrong";
}
