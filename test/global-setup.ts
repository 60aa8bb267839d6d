import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Process-level tests run the real `node dist/cli.js`; build it first so they never test stale code.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
