import { type FS, Liquid, type Template } from "liquidjs";
import { formatDuration } from "../duration.js";
import type { AuthwatchEvent } from "../events.js";
import { describeForPeople, subjectOf } from "./people-text.js";

/**
 * Liquid templates (liquidjs) for the texts sinks write for people. Liquid runs no code; on top of
 * that, templates cannot read files (`include`/`render` find nothing), unknown filters are parse errors,
 * and rendering is bounded in time and memory so a template cannot stall delivery.
 */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error("templates cannot read files");
  },
  readFileSync: () => {
    throw new Error("templates cannot read files");
  },
  resolve: (_dir, file) => file,
  // Without these two, liquidjs warns on stderr at load, which would corrupt every CLI's one-line errors.
  dirname: () => "",
  sep: "/",
};

const engine = new Liquid({
  fs: NO_FILES,
  // Includes are refused anyway; without this LiquidJS prints a warning on stderr at load, in every command.
  relativeReference: false,
  strictFilters: true,
  ownPropertyOnly: true,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
});

/** `{{ data.heldForMs | duration }}` → "2h 5m". */
engine.registerFilter("duration", (ms: unknown) =>
  typeof ms === "number" && Number.isFinite(ms) ? formatDuration(Math.max(0, ms)) : "",
);

/** `{{ data.observedAt | ago }}` → "3m": how long before the send time (the scope's `now`). */
engine.registerFilter(
  "ago",
  function (this: { context: { getSync(paths: PropertyKey[]): unknown } }, iso: unknown) {
    const then = Date.parse(String(iso));
    const now = Date.parse(String(this.context.getSync(["now"])));
    return Number.isFinite(then) && Number.isFinite(now) ? formatDuration(Math.max(0, now - then)) : "";
  },
);

export type CompiledTemplate = Template[];

/** The parse error's first line, without the template's text (it may quote a label value). */
export function compileTemplate(
  source: string,
): { ok: true; template: CompiledTemplate } | { ok: false; problem: string } {
  try {
    return { ok: true, template: engine.parse(source) };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    return { ok: false, problem: `is not a valid Liquid template: ${message}` };
  }
}

/**
 * What a template sees: the whole event body (`type`, `timestamp`, `data`) and helpers computed at
 * send time: `text` (the built-in text), `headline`, `session` ("project/id"), `observedAgo` ("3m"),
 * `heldFor` (how long the previous status held, in words), and the filters `duration` (ms → words)
 * and `ago` (an ISO time → how long before the send time, in words).
 */
export function templateScope(event: AuthwatchEvent, now: number, builtIn: string): Record<string, unknown> {
  const data = event.data as unknown as Record<string, unknown>;
  const observed = Date.parse(String(data.observedAt));
  const previous = Date.parse(String(data.previousSince));
  return {
    type: event.type,
    timestamp: event.timestamp,
    data: event.data,
    text: builtIn,
    headline: describeForPeople(event, now).headline,
    session: subjectOf(event),
    observedAgo: Number.isFinite(observed) ? formatDuration(Math.max(0, now - observed)) : "",
    heldFor:
      Number.isFinite(observed) && Number.isFinite(previous)
        ? formatDuration(Math.max(0, observed - previous))
        : "",
    now: new Date(now).toISOString(),
  };
}

/** Throws on a render error (a limit reached, a filter's failure); callers fall back to the built-in text. */
export function renderTemplate(template: CompiledTemplate, scope: Record<string, unknown>): string {
  return String(engine.renderSync(template, scope));
}

/**
 * The template's text, or the built-in one when rendering fails: a broken template must never drop
 * an event. `onError` gets a message without the template's text or the event's values.
 */
export function renderOrFallback(
  template: CompiledTemplate | undefined,
  scope: Record<string, unknown>,
  builtIn: string,
  onError: (message: string) => void,
): string {
  if (template === undefined) return builtIn;
  try {
    return renderTemplate(template, scope);
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    onError(message);
    return builtIn;
  }
}

/** For sinks: resolution already refused a template that does not parse, so a failure here leaves it out. */
export function compiledOrNone(source: string | undefined): CompiledTemplate | undefined {
  if (source === undefined) return undefined;
  const result = compileTemplate(source);
  return result.ok ? result.template : undefined;
}
