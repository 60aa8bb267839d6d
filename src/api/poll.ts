import { NOT_FOUND, type Observation, type SessionRef } from "../types.js";
import { NotFoundError } from "./errors.js";
import type { IntunedClient } from "./types.js";

export interface PollOptions {
  signal?: AbortSignal;
  now: () => number;
}

export interface PollResult {
  observation: Observation;
  /** The `id` the API answered with; null for a 404. Differs from the ref when the API misbehaves. */
  answeredId: string | null;
}

/**
 * One poll as the state machine sees it: a 404 is an answer (the session is gone), not a failure.
 * Every other error is rethrown for the caller's retry and health bookkeeping.
 */
export async function pollSession(
  client: IntunedClient,
  ref: SessionRef,
  options: PollOptions,
): Promise<PollResult> {
  try {
    const record = await client.getAuthSession(ref, options.signal ? { signal: options.signal } : {});
    return {
      observation: { status: record.status, sessionType: record.type, observedAt: options.now() },
      answeredId: record.id,
    };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return {
      observation: { status: NOT_FOUND, sessionType: null, observedAt: options.now() },
      answeredId: null,
    };
  }
}
