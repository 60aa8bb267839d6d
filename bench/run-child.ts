import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));

/** Runs one measurement in a fresh `node --expose-gc` process and returns what it printed last. */
export function runChild<T>(mode: string, options: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", CHILD, mode, JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop();
      if (code !== 0 || !last) {
        reject(new Error(`bench ${mode} failed (${signal ?? `exit code ${code}`})`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
}
