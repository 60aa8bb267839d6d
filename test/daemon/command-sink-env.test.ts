import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startFakeIntunedApi } from "../../src/fake-api/server.js";
import { startWatchProcess } from "../helpers/watch-process.js";

const KEY = "sk-test-SECRET-credential-7070";
const HOOK_SECRET = "whsec_c2VjcmV0LWZvci1jb21tYW5kLWVudg==";
const WS = "123e4567-e89b-12d3-a456-426614174000";
const WAIT = { timeout: 20_000, interval: 50 };

describe("a command sink run by `authwatch watch` as a systemd service would run it", () => {
  it("inherits neither $CREDENTIALS_DIRECTORY nor any secret, whatever its variable's name", async () => {
    const session = { workspaceId: WS, projectName: "logins", authSessionId: "user-1" };
    const api = await startFakeIntunedApi({
      apiKeys: [KEY],
      sessions: [{ ...session, timeline: [{ status: "EXPIRED" }] }],
    });
    onTestFinished(() => api.close());
    const dir = mkdtempSync(join(tmpdir(), "authwatch-credentials-"));
    // systemd's LoadCredential= layout: the key is a file in a private folder named by the variable.
    const credentials = join(dir, "credentials");
    mkdirSync(credentials, { mode: 0o700 });
    writeFileSync(join(credentials, "intuned-api-key"), KEY);
    chmodSync(join(credentials, "intuned-api-key"), 0o400);
    const out = join(dir, "env.json");
    const script = `require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env))`;
    writeFileSync(
      join(dir, "watchlist.json"),
      JSON.stringify({
        api: { workspaceId: WS },
        defaults: { interval: "1s" },
        sessions: [{ project: session.projectName, id: session.authSessionId }],
        sinks: [
          { name: "hook", type: "webhook", url: "http://127.0.0.1:9/hook", secretEnv: "HOOK_SECRET" },
          { name: "reauth", type: "command", command: [process.execPath, "-e", script] },
        ],
      }),
    );
    const watch = startWatchProcess(
      ["-c", join(dir, "watchlist.json")],
      {
        INTUNED_API_BASE_URL: api.url,
        CREDENTIALS_DIRECTORY: credentials,
        HOOK_SECRET,
        // The same secrets again under names authwatch does not know.
        MY_COPY_OF_THE_KEY: KEY,
        SOME_TOOL_TOKEN: HOOK_SECRET,
        TEAM: "growth",
      },
      dir,
    );
    onTestFinished(async () => {
      watch.child.kill("SIGTERM");
      await watch.exited;
    });

    // The key came from the credentials folder: the poll was accepted, and the command ran.
    await expect.poll(() => existsSync(out), WAIT).toBe(true);
    await expect.poll(() => readFileSync(out, "utf8").length > 0, WAIT).toBe(true);
    const env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    expect(env).toMatchObject({ AUTHWATCH_EVENT_TYPE: "authsession.expired", TEAM: "growth" });
    expect(env).not.toHaveProperty("CREDENTIALS_DIRECTORY");
    expect(env).not.toHaveProperty("HOOK_SECRET");
    const everything = JSON.stringify(env);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(HOOK_SECRET);
    expect(everything).not.toContain(credentials);
  });
});
