import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { DEFAULT_API_KEY_ENV } from "../../src/config/resolve.js";
import { POSTGRES_DEFAULTS } from "../../src/config/resolve-postgres.js";
import { DEFAULT_HTTP_TOKEN_ENV } from "../../src/http/http-token.js";
import { CLI_PATH } from "../helpers/run-cli-process.js";

// No container engine runs here: these check what can be checked without one — the files are
// well-formed, and every flag, path and variable they name is one the CLI really has.
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(REPO, path), "utf8");
const YAML_FILES = [
  "deploy/compose.yaml",
  "deploy/kubernetes/deployment.yaml",
  "deploy/kubernetes/secret.yaml",
  "deploy/kubernetes/configmap.yaml",
];

/**
 * A deliberately small YAML check (no YAML package in the project): spaces only, even indentation that
 * never jumps by more than one level, and every line a `key: value`, a `- item`, a comment, or part of
 * a `|` block. Enough to catch the usual hand-editing mistakes.
 */
function yamlProblems(text: string): string[] {
  const problems: string[] = [];
  let blockIndent: number | undefined;
  let previousIndent = 0;
  text.split("\n").forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === "") return;
    if (/\t/.test(line)) problems.push(`${where}: tab`);
    const indent = line.length - line.trimStart().length;
    if (blockIndent !== undefined && indent >= blockIndent) return;
    blockIndent = undefined;
    const body = line.trim();
    if (body.startsWith("#")) return;
    if (indent % 2 !== 0) problems.push(`${where}: odd indentation`);
    if (indent > previousIndent + 4) problems.push(`${where}: indentation jumps`);
    previousIndent = indent;
    if (!/^(- )?([\w./-]+|<<|"[^"]+"):( |$)/.test(body) && !/^- \S/.test(body) && !/^-$/.test(body)) {
      problems.push(`${where}: not "key: value" or "- item": ${body}`);
    }
    if (/:\s*\|$/.test(body)) blockIndent = indent + 1;
  });
  return problems;
}

/** The `watch` arguments a file passes: the JSON array after `args:`/`command:`/`CMD`. */
function watchArgs(text: string): string[][] {
  return [...text.matchAll(/(?:args:|command:|CMD)\s*(\[[^\]\n]*"watch"[^\]\n]*\])/g)].map(
    (match) => JSON.parse(match[1]!) as string[],
  );
}

describe("deploy/", () => {
  it.each(YAML_FILES)("%s is well-formed YAML of the simple kind it uses", (path) => {
    expect(yamlProblems(read(path))).toEqual([]);
  });

  it("ships a watchlist (file and ConfigMap) that the real parser accepts, on PostgreSQL", () => {
    const configMap = read("deploy/kubernetes/configmap.yaml");
    const embedded = configMap.slice(configMap.indexOf("watchlist.json: |") + "watchlist.json: |".length);
    for (const text of [read("deploy/watchlist.json"), embedded]) {
      const parsed = parseWatchlist(JSON.parse(text));
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      expect(JSON.parse(text).state.postgres.urlEnv).toBe(POSTGRES_DEFAULTS.urlEnv);
    }
  });

  it("runs watch with flags the CLI has and the watchlist where the files mount it", () => {
    const help = execFileSync(process.execPath, [CLI_PATH, "watch", "--help"], { encoding: "utf8" });
    const runs = [
      ...watchArgs(read("deploy/Dockerfile")),
      ...watchArgs(read("deploy/compose.yaml")),
      ...watchArgs(read("deploy/kubernetes/deployment.yaml")),
    ];
    expect(runs).toHaveLength(3);
    for (const args of runs) {
      expect(args[0]).toBe("watch");
      for (const flag of args.filter((arg) => arg.startsWith("--"))) expect(help).toContain(flag);
      expect(args).toContain("/etc/authwatch/watchlist.json");
    }
    expect(read("deploy/compose.yaml")).toContain("./watchlist.json:/etc/authwatch/watchlist.json:ro");
    expect(read("deploy/kubernetes/deployment.yaml")).toContain("mountPath: /etc/authwatch");
  });

  it("names the variables authwatch reads, and keeps secrets in the Secret and .env, never inline", () => {
    const names = [POSTGRES_DEFAULTS.urlEnv, DEFAULT_API_KEY_ENV, DEFAULT_HTTP_TOKEN_ENV];
    for (const name of names) {
      expect(read("deploy/compose.yaml")).toContain(`${name}:`);
      expect(read("deploy/kubernetes/secret.yaml")).toContain(`${name}:`);
    }
    expect(read("deploy/kubernetes/deployment.yaml")).toMatch(/secretRef:\s+name: authwatch/);
    expect(read("deploy/compose.yaml")).not.toMatch(/PASSWORD: [^$\n]/);
  });

  it("builds in stages, installs production dependencies only, runs as non-root, copies what exists", () => {
    const dockerfile = read("deploy/Dockerfile");
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toContain("npm ci --omit=dev");
    expect(dockerfile).toMatch(/^USER (?!root|0\b)\w+/m);
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const path of source!.split(" ")) expect(existsSync(join(REPO, path)), path).toBe(true);
    }
    expect(dockerfile).toContain('ENTRYPOINT ["node", "dist/cli.js"]');
    expect(JSON.parse(read("package.json")).bin.authwatch).toBe("dist/cli.js");
  });

  it("gives Kubernetes two replicas probed on /healthz", () => {
    const deployment = read("deploy/kubernetes/deployment.yaml");
    expect(deployment).toContain("replicas: 2");
    expect(deployment.match(/path: \/healthz/g)).toHaveLength(2);
    expect(deployment).toContain("runAsNonRoot: true");
  });
});
