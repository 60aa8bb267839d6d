import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  EXAMPLE_WATCHLIST,
  loadWatchlist,
  locateJsonError,
  parseJsonText,
  readWatchlistFile,
} from "../../src/config/load.js";
import { configError } from "../helpers/config-error.js";

const WS = "123e4567-e89b-12d3-a456-426614174000";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "authwatch-load-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("loadWatchlist", () => {
  it("reads, validates and resolves a watchlist file against its own folder", () => {
    const path = join(dir, "watchlist.json");
    writeFileSync(
      path,
      JSON.stringify({ api: { workspaceId: WS }, sessions: [{ project: "p", id: "abc" }], state: "s.db" }),
    );
    const config = loadWatchlist(path, { INTUNED_API_KEY: "k-1" }, { requireSecrets: true });
    expect(config.path).toBe(path);
    expect(config.statePath).toBe(join(dir, "s.db"));
    expect(config.sessions.map((s) => s.key)).toEqual([`${WS}/p/abc`]);
  });

  it("lists every schema problem of the file in one ConfigError with exit code 2", () => {
    const path = join(dir, "watchlist.json");
    writeFileSync(path, JSON.stringify({ sessions: [{ project: "p", id: "x", labelz: {} }] }));
    const error = configError(() => loadWatchlist(path, {}, { requireSecrets: false }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      [
        `${path}: 2 problems`,
        "  - sessions[0].id: must be at least 3 characters long",
        '  - sessions[0].labelz: unknown key "labelz"; did you mean "labels"?',
      ].join("\n"),
    );
  });

  it("says the file was not found, how to name another one, and where the shipped example is", () => {
    const path = join(dir, "nope.json");
    const error = configError(() => loadWatchlist(path, {}, { requireSecrets: false }));
    expect(error.message).toBe(
      `${path}: file not found; pass -c PATH to use another watchlist, or start from the example: cp ${EXAMPLE_WATCHLIST} ${path}`,
    );
    expect(existsSync(EXAMPLE_WATCHLIST)).toBe(true);
  });

  it("says so when the path is a folder", () => {
    expect(configError(() => readWatchlistFile(dir)).message).toBe(
      `${dir}: is a folder; pass -c PATH with the watchlist file`,
    );
  });
});

describe("readWatchlistFile", () => {
  it("returns the JSON as it is, without validating it, and ignores a byte order mark", () => {
    const path = join(dir, "w.json");
    writeFileSync(path, '\uFEFF{"anything": [1, 2]}');
    expect(readWatchlistFile(path)).toEqual({ anything: [1, 2] });
  });

  it("gives the line and column of a JSON syntax error without quoting the file's text", () => {
    const path = join(dir, "w.json");
    writeFileSync(path, '{\n  "api": {\n    "apiKeyEnv": hunter2-secret\n  }\n}\n');
    const error = configError(() => readWatchlistFile(path));
    expect(error.message).toBe(
      `${path}: not valid JSON at line 3, column 18: expected a value (a string, number, object, array, true, false or null)`,
    );
    expect(error.message).not.toContain("hunter2");
  });
});

describe("parseJsonText", () => {
  const where = (text: string) => configError(() => parseJsonText(text, "w.json")).message;

  it("names the usual mistakes: trailing commas, comments, missing commas, single quotes, truncation", () => {
    expect(where('{\n  "a": 1,\n}')).toBe(
      'w.json: not valid JSON at line 3, column 1: trailing comma before "}"',
    );
    expect(where("[1, 2, ]")).toBe('w.json: not valid JSON at line 1, column 8: trailing comma before "]"');
    expect(where('{\n  // note\n  "a": 1\n}')).toBe(
      "w.json: not valid JSON at line 2, column 3: comments are not allowed in JSON",
    );
    expect(where('{"a": 1\n "b": 2}')).toBe(
      'w.json: not valid JSON at line 2, column 2: expected "," or "}" (a missing comma?)',
    );
    expect(where("{'a': 1}")).toBe("w.json: not valid JSON at line 1, column 2: strings need double quotes");
    expect(where('{"a": [1, 2')).toBe("w.json: not valid JSON at line 1, column 12: unexpected end of file");
    expect(where("")).toBe("w.json: not valid JSON at line 1, column 1: unexpected end of file");
    expect(where('{"a": 1} x')).toBe(
      "w.json: not valid JSON at line 1, column 10: unexpected text after the end of the document",
    );
  });

  it("finds errors inside strings and numbers", () => {
    expect(locateJsonError('{"a": "line\nbreak"}')).toEqual({
      offset: 11,
      reason: "line break or control character inside a string",
    });
    expect(locateJsonError('{"a": "\\x"}').reason).toBe("invalid escape in a string");
    expect(locateJsonError('{"a": 01}').reason).toBe('expected "," or "}" (a missing comma?)');
    expect(locateJsonError('{"a": tru}').reason).toMatch(/^expected a value/);
  });

  it("agrees with JSON.parse that valid documents are valid", () => {
    for (const text of ['{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"], "b": {}}', "[]", " 3 ", '"x"']) {
      expect(parseJsonText(text, "w.json")).toEqual(JSON.parse(text));
    }
  });
});
