import { createHash } from "node:crypto";
import type { SinkConfig } from "../config/types.js";

/**
 * A stable hash of what decides where and how a sink delivers. A sink disabled by HTTP 410 stays
 * disabled across restarts until this changes, i.e. until someone points it somewhere else.
 * Filters, timeouts and the secret are left out: changing them does not bring a gone endpoint back.
 * The URL is hashed, never stored or shown, because it may carry a token.
 */
export function sinkFingerprint(config: SinkConfig): string {
  return createHash("sha256")
    .update(JSON.stringify(fingerprintFields(config)))
    .digest("hex");
}

function fingerprintFields(config: SinkConfig): unknown[] {
  switch (config.type) {
    case "console":
      return ["console"];
    case "webhook":
      return ["webhook", config.format, config.url.value];
    case "command":
      return ["command", config.command];
  }
}
