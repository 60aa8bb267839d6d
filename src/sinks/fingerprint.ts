import { createHash } from "node:crypto";
import { kindOf, type SinkConfig } from "./kinds.js";

/**
 * A stable hash of what decides where and how a sink delivers (each kind says what that is). A sink
 * disabled by HTTP 410 stays disabled across restarts until this changes, i.e. until someone points
 * it somewhere else. Hashed, never stored or shown: a URL may carry a token.
 */
export function sinkFingerprint(config: SinkConfig): string {
  return createHash("sha256")
    .update(JSON.stringify(kindOf(config).fingerprint(config)))
    .digest("hex");
}
