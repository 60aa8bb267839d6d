import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  license: string;
};

/** What `npm pack` would put in the package (dist/ is built by the global setup). */
function packedFiles(): string[] {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [packed] = JSON.parse(output) as [{ files: { path: string }[] }];
  return packed.files.map((file) => file.path);
}

describe("the npm package", () => {
  const files = packedFiles();

  it("carries the MIT licence its package.json declares", () => {
    expect(pkg.license).toBe("MIT");
    expect(files).toContain("LICENSE");
    const licence = readFileSync(new URL("../LICENSE", import.meta.url), "utf8");
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) 2026 authwatch contributors\n/);
  });

  it("ships no source map, which would point at the src/ it does not ship", () => {
    expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
    expect(files.some((file) => file.startsWith("src/"))).toBe(false);
    const built = readFileSync(new URL("../dist/cli.js", import.meta.url), "utf8");
    expect(built).not.toContain("sourceMappingURL");
  });

  it("ships the example watchlist an error message points at, the schema, the unit and the docs the README links", () => {
    for (const file of [
      "watchlist.json",
      "watchlist.schema.json",
      "systemd/authwatch.service",
      "dist/cli.js",
    ]) {
      expect(files, file).toContain(file);
    }
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const [, linked] of readme.matchAll(/\]\((docs\/[^)#]+)\)/g))
      expect(files, linked).toContain(linked);
  });
});
