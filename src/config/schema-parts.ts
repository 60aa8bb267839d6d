/**
 * The zod pieces the watchlist schema and every sink kind's own schema are built from. They live
 * apart from schema.ts so that src/sinks/*-kind.ts can import them without an import cycle.
 */
import { z } from "zod";
import { DURATION_HINT, formatDuration, parseDuration } from "../duration.js";
import { EVENT_TYPES } from "../events.js";

/**
 * The string forms of a duration: amounts with units, or "0". A string of digits alone is refused
 * (with the hint below): `"for": "10"` is far more likely a forgotten unit than 10 milliseconds, and
 * integer milliseconds are written as a JSON number.
 */
export const DURATION_PATTERN = /^(0|(\d+(\.\d+)?(ms|s|m|h|d))+)$/;
/** What is wrong with a value that is no duration; for digits alone, the fix. */
const notADuration = (issue: { input?: unknown }) =>
  typeof issue.input === "string" && /^\d+$/.test(issue.input)
    ? `"${issue.input}" has no unit: write "${issue.input}s" or "${issue.input}m" (or the number ${issue.input} for milliseconds)`
    : mustBeDuration;
/** Node timers fire at once beyond 2^31-1 ms (~24.8 days), so waits are capped below that. */
export const MAX_TIMER_MS = 24 * 86_400_000;

/** A variable name, and not a webhook secret pasted in its place (errors name variables, never secrets). */
const ENV_NAME_PATTERN = /^(?!whsec_)[A-Za-z_][A-Za-z0-9_]*$/;
const mustBeDuration = `must be ${DURATION_HINT}`;

/** Any duration, zero included (a retry window of 0 means "never retry"). */
export const anyDuration = z
  .union(
    [
      z.string({ error: mustBeDuration }).regex(DURATION_PATTERN, { error: mustBeDuration }),
      z.number({ error: mustBeDuration }).int({ error: mustBeDuration }).min(0, { error: mustBeDuration }),
    ],
    { error: notADuration },
  )
  .meta({
    id: "duration",
    description: 'A duration: "500ms", "10s", "1m30s", "5m", "1h", "1d", or integer milliseconds.',
  });

const outOfRange = `must be between 1ms and ${formatDuration(MAX_TIMER_MS)}`;

/**
 * Poll intervals and timeouts: zero would spin, and more than MAX_TIMER_MS would overflow a timer.
 * The pattern (a non-zero digit somewhere) and the integer range put most of this in the JSON Schema
 * too, so editors flag `"interval": "0s"`; the refine catches what a pattern cannot ("0.0001s", "30d").
 */
export const waitDuration = z
  .union(
    [
      z
        .string({ error: mustBeDuration })
        .regex(DURATION_PATTERN, { error: mustBeDuration, abort: true })
        .regex(/^(?=.*[1-9])/, { error: outOfRange }),
      z
        .number({ error: mustBeDuration })
        .int({ error: mustBeDuration, abort: true })
        .min(1, { error: outOfRange })
        .max(MAX_TIMER_MS, { error: outOfRange }),
    ],
    { error: notADuration },
  )
  .refine(
    (value) => {
      const ms = parseDuration(value);
      return ms === undefined || (ms >= 1 && ms <= MAX_TIMER_MS);
    },
    { error: outOfRange },
  )
  .meta({
    id: "positiveDuration",
    description: `A duration above zero, at most ${formatDuration(MAX_TIMER_MS)}: "500ms", "10s", "1m30s", "5m", "1h", or integer milliseconds.`,
  });

/**
 * Rules between the keys of one object, as JSON Schema keywords for the published schema (editors
 * flag them as you type). parse.ts checks the same rules with messages that name the path;
 * test/config/json-schema.test.ts keeps the two in agreement on examples.
 */
export function keyRules(rules: {
  /** Pairs of keys that must not both be set. */
  notBoth?: ReadonlyArray<readonly [string, string]>;
  /** Pairs of keys of which exactly one must be set. */
  exactlyOne?: ReadonlyArray<readonly [string, string]>;
  /** Keys that only make sense beside another one. */
  requires?: Readonly<Record<string, string>>;
}): Record<string, unknown> {
  const allOf = [
    ...(rules.notBoth ?? []).map((pair) => ({ not: { required: [...pair] } })),
    ...(rules.exactlyOne ?? []).map(([a, b]) => ({ oneOf: [{ required: [a] }, { required: [b] }] })),
  ];
  const dependentRequired = Object.fromEntries(
    Object.entries(rules.requires ?? {}).map(([key, needed]) => [key, [needed]]),
  );
  return {
    ...(allOf.length > 0 ? { allOf } : {}),
    ...(Object.keys(dependentRequired).length > 0 ? { dependentRequired } : {}),
  };
}

export const httpUrl = z.url({
  protocol: /^https?$/,
  error: "must be an http:// or https:// URL",
});

export const envName = z.string().regex(ENV_NAME_PATTERN, {
  // Someone who pastes the secret itself here gets a pointed hint; the value is never echoed.
  error: (issue) =>
    typeof issue.input === "string" && /^(whsec_|https?:)/.test(issue.input)
      ? 'must name the environment variable that holds the secret (like "SLACK_WEBHOOK_URL"), not the secret itself'
      : 'must be the name of an environment variable, like "INTUNED_API_KEY"',
});

export const filePath = z.string().min(1, { error: "must be a non-empty file path" });

export const labels = z.record(z.string().min(1, { error: "label names must not be empty" }), z.string(), {
  error: 'must be an object of string labels, like {"team": "growth"}',
});

export const eventType = z
  .enum(EVENT_TYPES, { error: `must be an event type: ${EVENT_TYPES.join(", ")}` })
  .meta({ id: "eventType" });

export const sinkBase = {
  name: z
    .string()
    .min(1, { error: "must be a non-empty string" })
    .meta({ description: "Unique among the sinks." }),
  events: z
    .array(eventType)
    .min(1, { error: "must list at least one event type (leave it out for every type)" })
    .optional()
    .meta({ description: "Event types this sink receives. Default: all." }),
  match: z
    .strictObject({
      project: z.string().optional(),
      authSessionId: z.string().optional(),
      labels: labels.optional(),
    })
    .optional()
    .meta({ description: "Only events of sessions matching all of these." }),
  retry: z
    .strictObject({
      window: anyDuration.meta({ description: "How long a failing delivery is retried. Default 24h." }),
    })
    .optional(),
};
