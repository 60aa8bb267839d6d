/**
 * Reading the watchlist file: the I/O edge in front of the pure parseWatchlist. readWatchlistFile
 * is split out so the daemon can re-read the file on reload and keep the old config when it fails.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors/config-error.js";
import { parseWatchlist } from "./parse.js";
import { type ResolveFlags, resolveConfig } from "./resolve.js";
import type { SecretNeeds } from "./secret-problems.js";
import type { ResolvedConfig } from "./types.js";

export interface LoadOptions {
  requireSecrets: SecretNeeds;
  cwd?: string | undefined;
  readFile?: ((path: string) => string) | undefined;
  flags?: ResolveFlags | undefined;
}

/** Reads, parses and resolves the watchlist; throws ConfigError listing every problem. */
export function loadWatchlist(path: string, env: NodeJS.ProcessEnv, options: LoadOptions): ResolvedConfig {
  const parsed = parseWatchlist(readWatchlistFile(path));
  if (!parsed.ok) throw new ConfigError(path, parsed.issues);
  return resolveConfig(parsed.value, { ...options, path, env });
}

/** The file's JSON, not yet validated. */
export function readWatchlistFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, [{ path: "", message: describeReadError(error, path) }]);
  }
  return parseJsonText(text, path);
}

/** The example watchlist shipped in the package (its root is two levels above src/config and dist/config). */
export const EXAMPLE_WATCHLIST = fileURLToPath(new URL("../../watchlist.json", import.meta.url));

function describeReadError(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") {
    return `file not found; pass -c PATH to use another watchlist, or start from the example: cp ${EXAMPLE_WATCHLIST} ${path}`;
  }
  if (code === "EISDIR") return "is a folder; pass -c PATH with the watchlist file";
  return `cannot be read (${code ?? "unknown error"})`;
}

/**
 * JSON.parse, with an error that gives line and column. V8's own message quotes the text around the
 * mistake, which could be a secret pasted into the file, so it is never shown.
 */
export function parseJsonText(text: string, source: string): unknown {
  // Editors on Windows may save a byte order mark, which JSON.parse rejects.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch {
    const { offset, reason } = locateJsonError(body);
    const before = body.slice(0, offset).split("\n");
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    throw new ConfigError(source, [
      { path: "", message: `not valid JSON at line ${line}, column ${column}: ${reason}` },
    ]);
  }
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Walks the JSON grammar to find where JSON.parse gave up, and why, in words about structure only. */
export function locateJsonError(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (expected: string): never => {
    const found = text[i];
    if (found === undefined) throw new JsonSyntax(i, "unexpected end of file");
    if (found === "/") throw new JsonSyntax(i, "comments are not allowed in JSON");
    if (found === "'") throw new JsonSyntax(i, "strings need double quotes");
    throw new JsonSyntax(i, expected);
  };
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
  };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new JsonSyntax(i, "unterminated string");
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        const next = text[i + 1] ?? "";
        if ('"\\/bfnrt'.includes(next) && next !== "") i += 2;
        else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else throw new JsonSyntax(i, "invalid escape in a string");
      } else if (c < " ") {
        throw new JsonSyntax(i, "line break or control character inside a string");
      } else i++;
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === "{") {
      i++;
      skipSpace();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] === "}") throw new JsonSyntax(i, 'trailing comma before "}"');
        if (text[i] !== '"') fail("expected a property name in double quotes");
        string();
        skipSpace();
        if (text[i] !== ":") fail('expected ":" after the property name');
        i++;
        value();
        skipSpace();
        if (text[i] === "}") {
          i++;
          return;
        }
        if (text[i] !== ",") fail('expected "," or "}" (a missing comma?)');
        i++;
      }
    }
    if (c === "[") {
      i++;
      skipSpace();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[i] === "]") {
          i++;
          return;
        }
        if (text[i] !== ",") fail('expected "," or "]" (a missing comma?)');
        i++;
        skipSpace();
        if (text[i] === "]") throw new JsonSyntax(i, 'trailing comma before "]"');
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.test(text)) {
      i = number.lastIndex;
      return;
    }
    const literal = ["true", "false", "null"].find((word) => text.startsWith(word, i));
    if (literal) {
      i += literal.length;
      return;
    }
    fail("expected a value (a string, number, object, array, true, false or null)");
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail("unexpected text after the end of the document");
  } catch (error) {
    if (error instanceof JsonSyntax) return { offset: error.offset, reason: error.reason };
    // A document nested deep enough to exhaust the stack: say no more than JSON.parse did.
  }
  return { offset: i, reason: "invalid JSON" };
}
