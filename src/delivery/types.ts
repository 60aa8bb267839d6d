import type { Sink } from "../sinks/sink.js";

/** A durable sink as the worker needs it: the fingerprint decides whether a 410 still applies. */
export interface OutboxSinkEntry {
  sink: Sink;
  /** sinkFingerprint(sink.config). */
  fingerprint: string;
}

export type DeliveryResult = "delivered" | "retry" | "dead" | "disabled";

export interface DeliveryMetrics {
  /** Once per round: the final outcome after quick retries, and how long the round took. */
  deliveryResult(sink: string, result: DeliveryResult, durationMs?: number): void;
}
