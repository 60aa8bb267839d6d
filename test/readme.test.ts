import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CODE_FAMILIES, ERROR_CODES } from "../src/errors/codes.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const doc = (name: string) => readFileSync(join(root, "docs", name), "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the README and docs/ stay true", () => {
  it("maps every file of src/ in one line, and no file that is gone", () => {
    const files = sourceFiles(join(root, "src")).map((path) => relative(join(root, "src"), path));
    const mapped = [...doc("src-map.md").matchAll(/^\| `([^`]+\.ts)` \|/gm)].map((match) => match[1]);
    expect(mapped.sort()).toEqual(files.sort());
  });

  it("documents every stable error code", () => {
    for (const code of [...Object.keys(ERROR_CODES), ...CODE_FAMILIES]) {
      expect(doc("error-codes.md"), code).toContain(`\`${code}\``);
    }
  });

  it("shows the two-command quick start and every command", () => {
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toContain("npm ci && npm test");
    for (const command of ["watch", "status", "wait", "check", "history", "demo"]) {
      expect(readme).toMatch(new RegExp(`\\| \`${command}[ \`]`));
    }
  });
});

it("keeps the README to a user's first hour: under 15 KB, references in docs/", () => {
  expect(Buffer.byteLength(readme)).toBeLessThan(15_000);
});

it("links every reference page in docs/ from the README", () => {
  for (const name of readdirSync(join(root, "docs")).filter((file) => file.endsWith(".md"))) {
    expect(readme, name).toContain(`docs/${name}`);
  }
});
