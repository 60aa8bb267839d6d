import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { describe, expect, it, onTestFinished } from "vitest";
import { CLI_PATH, runCliProcess } from "../helpers/run-cli-process.js";

/** Starts `authwatch fake-api …` as a child and resolves with its banner once it is listening. */
async function startFakeApiProcess(args: string[]) {
  const child = spawn(process.execPath, [CLI_PATH, "fake-api", ...args], {
    env: { PATH: process.env.PATH },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });
  let stdout = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("docs/fake-api.md")) resolve();
    });
    child.on("close", () => reject(new Error(`fake-api exited early: ${stdout}`)));
  });
  const url = /export INTUNED_API_BASE_URL=(\S+)/.exec(stdout)?.[1] ?? "";
  return { child, stdout, url, origin: new URL(url).origin, exited };
}

describe("authwatch fake-api", () => {
  it("prints its URL and how to point authwatch at it, serves the list and obeys the control endpoint", async () => {
    const fake = await startFakeApiProcess(["--scenario", "project"]);
    expect(fake.stdout).toMatch(
      /fake Intuned API listening on http:\/\/127\.0\.0\.1:\d+\/api\/v1\/workspace/,
    );
    expect(fake.stdout).toContain("export INTUNED_API_KEY=fake-key");
    const workspace = /export INTUNED_WORKSPACE_ID=(\S+)/.exec(fake.stdout)?.[1];
    const list = `${fake.url}/${workspace}/projects/customer-logins/auth-sessions`;
    const before = await request(list, { headers: { "x-api-key": "fake-key" } });
    expect(((await before.body.json()) as unknown[]).length).toBe(6);

    // The curl line the banner prints, sent as is.
    const curl = /curl -s -X POST (\S+) -d '([^']+)'/.exec(fake.stdout);
    await request(curl?.[1] ?? "", { method: "POST", body: curl?.[2] ?? "" }).then((r) => r.body.dump());
    await request(`${fake.origin}/_control/keys`, { method: "POST", body: '{"refuse":["fake-key"]}' }).then(
      (r) => r.body.dump(),
    );
    const refused = await request(list, { headers: { "x-api-key": "fake-key" } });
    await refused.body.dump();
    expect(refused.statusCode).toBe(401);
    const all = await request(`${fake.origin}/_control/sessions`);
    const sessions = (
      (await all.body.json()) as { sessions: Array<{ authSessionId: string; status: string }> }
    ).sessions;
    expect(sessions.find((s) => s.authSessionId === "user-1")?.status).toBe("EXPIRED");

    fake.child.kill("SIGTERM");
    expect(await fake.exited).toBe(0);
  });

  it("serves the sessions of a --sessions file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-fake-"));
    const file = join(dir, "sessions.json");
    const ws = "123e4567-e89b-12d3-a456-426614174000";
    writeFileSync(file, JSON.stringify([{ workspaceId: ws, projectName: "p", authSessionId: "abc-1" }]));
    const fake = await startFakeApiProcess(["--sessions", file, "--key", "my-key"]);
    const answer = await request(`${fake.url}/${ws}/projects/p/auth-sessions/abc-1`, {
      headers: { "x-api-key": "my-key" },
    });
    expect(await answer.body.json()).toEqual({ id: "abc-1", type: "CREDENTIALS", status: "READY" });
  });

  it("rejects a bad flag or file with one line and exit 2", async () => {
    const bad = await runCliProcess(["fake-api", "--scenario", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^authwatch: --scenario "nope" is not one of demo, project, empty\n$/);
    const dir = mkdtempSync(join(tmpdir(), "authwatch-fake-"));
    writeFileSync(join(dir, "bad.json"), '[{"projectName": "p"}]');
    const invalid = await runCliProcess(["fake-api", "--sessions", "bad.json"], { cwd: dir });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /^authwatch: --sessions .*bad\.json: invalid fake Intuned API config: sessions\.0\.workspaceId/,
    );
    expect(invalid.stderr.trim().split("\n")).toHaveLength(1);
  });
});
