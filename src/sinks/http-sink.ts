import type { Dispatcher } from "undici";
import { type Clock, systemClock } from "../clock.js";
import type { SinkConfig } from "../config/types.js";
import type { AuthwatchEvent } from "../events.js";
import { VERSION } from "../version.js";
import { classifyError, classifyHttpStatus } from "./classify.js";
import { createSinkAgent, type PostInput, type PostResult, postOnce } from "./http-post.js";
import { redactUrl } from "./redact-url.js";
import type { DeliveryContext, DeliveryOutcome, Sink } from "./sink.js";

export interface HttpSinkDeps {
  /** Connection pool; by default the sink opens its own and closes it in `close()`. */
  dispatcher?: Dispatcher;
  /** Signing timestamps and `Retry-After` dates; request timeouts are real time like all I/O. */
  clock?: Clock;
  userAgent?: string;
}

/** What an HTTP sink's attempt gets: a POST bound to the sink's pool, deadline and the caller's signal. */
export interface HttpTools {
  post(input: Pick<PostInput, "url" | "headers" | "body" | "readBodyBytes">): Promise<PostResult>;
  /** The answer's outcome by the shared status table, or the failure to get one. */
  classify(result: PostResult): DeliveryOutcome;
  now(): number;
  userAgent: string;
}

export interface HttpSinkSpec {
  config: SinkConfig & { timeoutMs: number };
  deps: HttpSinkDeps;
  /** The URL outcomes name, redacted to scheme and host (it may be the credential). */
  url: string;
  attempt(event: AuthwatchEvent, context: DeliveryContext, http: HttpTools): Promise<DeliveryOutcome>;
}

/**
 * What every HTTP sink shares: its connection pool, its deadline, outcomes that name the target only
 * in redacted form, and the promise never to throw.
 */
export function createHttpSink(spec: HttpSinkSpec): Sink {
  const { config, deps } = spec;
  const clock = deps.clock ?? systemClock;
  const target = `POST ${redactUrl(spec.url)}`;
  let owned: Dispatcher | undefined;
  const dispatcher = (): Dispatcher => {
    if (deps.dispatcher) return deps.dispatcher;
    owned ??= createSinkAgent(config.timeoutMs);
    return owned;
  };
  const tools = (context: DeliveryContext): HttpTools => ({
    post: (input) =>
      postOnce({ ...input, timeoutMs: config.timeoutMs, dispatcher: dispatcher(), signal: context.signal }),
    classify: (result) =>
      result.answered ? classifyHttpStatus(result.status, result.headers, clock.now()) : result.outcome,
    now: () => clock.now(),
    userAgent: deps.userAgent ?? `authwatch/${VERSION}`,
  });

  return {
    config,
    durable: true,
    async deliver(event, context) {
      try {
        return nameTarget(await spec.attempt(event, context, tools(context)), target);
      } catch (error) {
        // Only a bug gets here (postOnce classifies every I/O failure); the contract is never to throw.
        return nameTarget(classifyError(error, { timeoutMs: config.timeoutMs }), target);
      }
    },
    async close() {
      await owned?.close();
    },
  };
}

function nameTarget(outcome: DeliveryOutcome, target: string): DeliveryOutcome {
  if (outcome.kind === "delivered") return outcome;
  return { ...outcome, error: { ...outcome.error, message: `${target}: ${outcome.error.message}` } };
}
