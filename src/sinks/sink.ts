import type { SinkConfig } from "../config/types.js";
import type { FailureCode } from "../errors/codes.js";
import type { AuthwatchEvent } from "../events.js";

/** A delivery failure: its code is one of the table's (src/errors/codes.ts) or `HTTP_<status>`. */
export interface DeliveryError {
  code: FailureCode;
  message: string;
}

export interface DeliveryContext {
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * What earlier attempts of this delivery achieved, as the sink reported it in a retry outcome
   * (opaque to the worker, kept with the outbox row across restarts); undefined at first.
   */
  progress?: string | undefined;
}

/**
 * What one delivery attempt achieved, as classified by the sink (sinks/classify.ts holds the
 * shared rules: 2xx delivered; 408/429/5xx/network/timeout retry; 410 disable; other 4xx and 3xx permanent).
 */
export type DeliveryOutcome =
  /** `partial`: delivered, but some destinations (mail recipients) refused it for good; kept as the last error. */
  | { kind: "delivered"; status?: number; partial?: DeliveryError }
  /** `progress`: what is already done, handed back in the next attempt's context (the email sink: who has the mail). */
  | { kind: "retry"; error: DeliveryError; retryAfterMs?: number; progress?: string }
  | { kind: "permanent"; error: DeliveryError }
  | { kind: "disable"; error: DeliveryError };

/** One destination for events. Each sink type lives in its own file behind this interface. */
export interface Sink {
  readonly config: SinkConfig;
  /**
   * True when deliveries go through the persistent outbox (webhook, command); the console
   * sink writes at once and has nothing to retry.
   */
  readonly durable: boolean;
  /** Never throws: every failure is an outcome. */
  deliver(event: AuthwatchEvent, context: DeliveryContext): Promise<DeliveryOutcome>;
  close?(): Promise<void>;
}
