/**
 * Validates a watchlist document without any I/O. Every problem is reported at once, each with
 * the dotted path of the value at fault (`sessions[3].id`), so one run of `check` shows all of them.
 */
import { z } from "zod";
import type { ConfigIssue } from "../errors/config-error.js";
import { type Watchlist, watchlistSchema } from "./schema.js";

export type ParseResult = { ok: true; value: Watchlist } | { ok: false; issues: ConfigIssue[] };

export function parseWatchlist(json: unknown): ParseResult {
  const result = watchlistSchema.safeParse(json, { error: fallbackMessage });
  const issues = [
    ...(result.success ? [] : result.error.issues.flatMap((issue) => toConfigIssues(issue, json))),
    // Run on the raw document even when the schema failed, so a duplicate is not hidden behind a typo.
    ...findRuleIssues(json),
  ];
  if (issues.length > 0 || !result.success) return { ok: false, issues: mergeByPath(issues) };
  return { ok: true, value: result.data };
}

/** One issue per path, so a value failing two checks (too short and a bad character) reads as one line. */
function mergeByPath(issues: ConfigIssue[]): ConfigIssue[] {
  const merged = new Map<string, string[]>();
  for (const { path, message } of issues) {
    const messages = merged.get(path) ?? [];
    if (!messages.includes(message)) messages.push(message);
    merged.set(path, messages);
  }
  return [...merged].map(([path, messages]) => ({ path, message: messages.join("; ") }));
}

/** `["sessions", 3, "id"]` → `sessions[3].id`; keys that are not identifiers are quoted (`labels["a.b"]`). */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment))
      text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function toConfigIssues(issue: z.core.$ZodIssue, json: unknown): ConfigIssue[] {
  const at = (path: readonly PropertyKey[], message: string) => ({ path: formatPath(path), message });
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(json, issue.path);
      return issue.keys.map((key) => at([...issue.path, key], `unknown key "${key}"${suggest(key, known)}`));
    }
    case "invalid_union": {
      if (issue.discriminator === undefined || !("options" in issue)) return [at(issue.path, issue.message)];
      const choices = (issue.options ?? []).map((option) => `"${String(option)}"`).join(", ");
      const value = valueAt(json, issue.path);
      if (value === undefined) return [at(issue.path, `is required: one of ${choices}`)];
      const names = (issue.options ?? []).map(String);
      return [
        at(issue.path, `must be one of ${choices}${typeof value === "string" ? suggest(value, names) : ""}`),
      ];
    }
    case "invalid_type":
      return [at(issue.path, valueAt(json, issue.path) === undefined ? "is required" : issue.message)];
    case "invalid_key":
      return [at(issue.path, issue.issues[0]?.message ?? issue.message)];
    case "invalid_value": {
      const value = valueAt(json, issue.path);
      const candidates = issue.values.filter((v): v is string => typeof v === "string");
      return [at(issue.path, issue.message + (typeof value === "string" ? suggest(value, candidates) : ""))];
    }
    default:
      return [at(issue.path, issue.message)];
  }
}

/** Messages for the checks the schema did not word itself; the value is never echoed (it may be a secret). */
const fallbackMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "too_small":
      if (issue.origin === "string") return Number(issue.minimum) <= 1 ? "must not be empty" : undefined;
      if (issue.origin === "array") return `must have at least ${issue.minimum} item(s)`;
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return undefined;
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "an array",
};

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** The keys the schema allows in the object at `path`, following the union branch the document chose. */
function knownKeysAt(json: unknown, path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = watchlistSchema;
  let value = json;
  for (const segment of path) {
    const current: z.ZodType = narrow(schema, value);
    if (current instanceof z.ZodObject) schema = current.shape[segment as string] as z.ZodType | undefined;
    else if (current instanceof z.ZodArray) schema = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) schema = current.valueType as z.ZodType;
    else schema = undefined;
    if (!schema) return [];
    value = valueAt(value, [segment]);
  }
  const object = narrow(schema, value);
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
}

function narrow(schema: z.ZodType, value: unknown): z.ZodType {
  if (schema instanceof z.ZodOptional) return narrow(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodUnion) {
    const type = valueAt(value, ["type"]);
    const option = (schema.options as z.ZodType[]).find((candidate) => {
      if (!(candidate instanceof z.ZodObject)) return false;
      const discriminator = candidate.shape.type;
      return !(discriminator instanceof z.ZodLiteral) || discriminator.values.has(type as string);
    });
    return option ?? schema;
  }
  return schema;
}

/** ` did you mean "labels"?` when one candidate is a likely typo of `word`. */
function suggest(word: string, candidates: readonly string[]): string {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance =
      candidate.toLowerCase() === word.toLowerCase()
        ? 0
        : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best && best.distance <= limit ? `; did you mean "${best.candidate}"?` : "";
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function objectsOf(value: unknown): Array<[number, Json]> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index): Array<[number, Json]> => (isObject(item) ? [[index, item]] : []));
}

/** Rules spanning several values. Read defensively: the document may also have failed the schema. */
export function findRuleIssues(json: unknown): ConfigIssue[] {
  if (!isObject(json)) return [];
  const issues: ConfigIssue[] = [];
  const add = (path: PropertyKey[], message: string) => issues.push({ path: formatPath(path), message });
  const notBoth = (object: Json, path: PropertyKey[], first: string, second: string) => {
    if (object[first] !== undefined && object[second] !== undefined) {
      add([...path, second], `set "${first}" or "${second}", not both`);
    }
  };

  const api = isObject(json.api) ? json.api : {};
  notBoth(api, ["api"], "apiKeyEnv", "apiKeyFile");
  const defaultWorkspace = typeof api.workspaceId === "string" ? api.workspaceId : undefined;

  const seenSessions = new Map<string, number>();
  for (const [i, session] of objectsOf(json.sessions)) {
    const path = ["sessions", i];
    notBoth(session, path, "apiKeyEnv", "apiKeyFile");
    notBoth(session, path, "interval", "schedule");
    if (session.timezone !== undefined && session.schedule === undefined) {
      add([...path, "timezone"], 'only applies to "schedule", which is not set');
    }
    const { project, id } = session;
    if (typeof project !== "string" || typeof id !== "string") continue;
    // Sessions without any workspace yet will share the one the environment gives, so they still collide.
    const workspace = typeof session.workspaceId === "string" ? session.workspaceId : defaultWorkspace;
    const key = JSON.stringify([workspace?.toLowerCase() ?? null, project, id]);
    const first = seenSessions.get(key);
    if (first === undefined) seenSessions.set(key, i);
    else add(path, `watches the same workspace, project and id as sessions[${first}]`);
  }

  const seenProjects = new Map<string, number>();
  for (const [i, project] of objectsOf(json.projects)) {
    const path = ["projects", i];
    notBoth(project, path, "apiKeyEnv", "apiKeyFile");
    notBoth(project, path, "interval", "schedule");
    if (project.timezone !== undefined && project.schedule === undefined) {
      add([...path, "timezone"], 'only applies to "schedule", which is not set');
    }
    if (typeof project.project !== "string") continue;
    const workspace = typeof project.workspaceId === "string" ? project.workspaceId : defaultWorkspace;
    const key = JSON.stringify([workspace?.toLowerCase() ?? null, project.project]);
    const first = seenProjects.get(key);
    if (first === undefined) seenProjects.set(key, i);
    else add(path, `watches the same workspace and project as projects[${first}]; use one entry per project`);
  }

  const seenSinks = new Map<string, number>();
  for (const [i, sink] of objectsOf(json.sinks)) {
    const path = ["sinks", i];
    if (typeof sink.name === "string") {
      const first = seenSinks.get(sink.name);
      if (first === undefined) seenSinks.set(sink.name, i);
      else
        add(
          [...path, "name"],
          `"${sink.name}" is already the name of sinks[${first}]; sink names must be unique`,
        );
    }
    if (sink.type !== "webhook") continue;
    if (sink.url === undefined && sink.urlEnv === undefined) {
      add([...path, "url"], 'is required, or "urlEnv" naming the environment variable that holds the URL');
    }
    notBoth(sink, path, "url", "urlEnv");
    notBoth(sink, path, "secretEnv", "secretFile");
    const secretKey = ["secretEnv", "secretFile"].find((key) => sink[key] !== undefined);
    if (typeof sink.format === "string" && sink.format !== "standard" && secretKey) {
      add(
        [...path, secretKey],
        `only the "standard" format is signed; remove it, or remove "format": "${sink.format}"`,
      );
    }
  }
  for (const list of ["alerts", "maintenance"] as const) {
    const seen = new Map<string, number>();
    for (const [i, item] of objectsOf(json[list])) {
      if (typeof item.name !== "string") continue;
      const first = seen.get(item.name);
      if (first === undefined) seen.set(item.name, i);
      else
        add(
          [list, i, "name"],
          `"${item.name}" is already the name of ${list}[${first}]; names must be unique`,
        );
    }
  }
  if (isObject(json.heartbeat)) {
    if (json.heartbeat.url === undefined && json.heartbeat.urlEnv === undefined) {
      add(
        ["heartbeat", "url"],
        'is required, or "urlEnv" naming the environment variable that holds the URL',
      );
    }
    notBoth(json.heartbeat, ["heartbeat"], "url", "urlEnv");
  }
  return issues;
}
