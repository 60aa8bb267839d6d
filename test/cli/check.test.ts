import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIO } from "../helpers/capture-io.js";
import { startReadySessionApi } from "../helpers/ready-session-api.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-check-5678";
const WHSEC = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;

/** The README's service layout: the key and a webhook secret as credentials, in a temp /etc/authwatch. */
function serviceLayout(): { etc: string; credentials: string } {
  const etc = mkdtempSync(join(tmpdir(), "authwatch-etc-"));
  onTestFinished(() => rmSync(etc, { recursive: true, force: true }));
  const credentials = join(etc, "credentials");
  mkdirSync(credentials, { mode: 0o700 });
  writeFileSync(join(credentials, "intuned-api-key"), `${KEY}\n`, { mode: 0o600 });
  writeFileSync(join(credentials, "oncall-webhook-secret"), `${WHSEC}\n`, { mode: 0o600 });
  writeFileSync(
    join(etc, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE },
      sessions: [{ project: "my-project", id: "auth-session-123" }],
      sinks: [
        {
          name: "oncall",
          type: "webhook",
          url: "https://hooks.example.com/authwatch",
          secretFile: "/run/credentials/authwatch.service/oncall-webhook-secret",
        },
      ],
    }),
  );
  return { etc, credentials };
}

describe("authwatch check --credentials-directory", () => {
  it("validates a systemd credentials layout from a shell, where /run/credentials does not exist", async () => {
    const { etc, credentials } = serviceLayout();
    const io = captureIO({}, etc);
    const code = await runCli(["check", "-c", "watchlist.json", "--credentials-directory", credentials], io);
    expect(io.stderrText()).toBe("");
    expect(code).toBe(0);
    expect(io.stdoutText()).toMatch(/watchlist\.json is valid: 1 session, 1 sink, 1 API key/);
    expect(io.stdoutText() + io.stderrText()).not.toContain(KEY);
  });

  it("names the credential file it looked for when one is missing", async () => {
    const { etc, credentials } = serviceLayout();
    rmSync(join(credentials, "oncall-webhook-secret"));
    const io = captureIO({}, etc);
    expect(
      await runCli(["check", "--credentials-directory", credentials], {
        ...io,
        env: { AUTHWATCH_WATCHLIST: join(etc, "watchlist.json") },
      }),
    ).toBe(2);
    expect(io.stderrText()).toContain(
      `sinks[0].secretFile: ${join(credentials, "oncall-webhook-secret")} does not exist`,
    );
  });

  it("without the flag says the /run/credentials file does not exist, as a shell sees it", async () => {
    const { etc } = serviceLayout();
    const io = captureIO({ INTUNED_API_KEY: KEY }, etc);
    expect(await runCli(["check"], io)).toBe(2);
    expect(io.stderrText()).toContain(
      "sinks[0].secretFile: file /run/credentials/authwatch.service/oncall-webhook-secret does not exist",
    );
  });

  it("rejects a credentials directory that is not a folder", async () => {
    const { etc } = serviceLayout();
    const io = captureIO({}, etc);
    expect(await runCli(["check", "--credentials-directory", "nowhere"], io)).toBe(2);
    expect(io.stderrText()).toMatch(/^authwatch: --credentials-directory "nowhere" is not a folder/);
  });
});

/** A loopback address where nothing listens: the port was bound, then released. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function onlineWatchlist(): string {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-online-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "2s" },
      sessions: [{ project: "my-project", id: "auth-session-123" }],
    }),
  );
  return dir;
}

describe("authwatch check --online", () => {
  it("prints the validity line first, then one line per key, as the README shows", async () => {
    const api = await startReadySessionApi(KEY);
    onTestFinished(() => api.close());
    const dir = onlineWatchlist();
    const io = captureIO({ INTUNED_API_BASE_URL: api.url, INTUNED_API_KEY: KEY }, dir);
    expect(await runCli(["check", "--online"], io)).toBe(0);
    expect(io.stdoutText()).toBe(
      `${join(dir, "watchlist.json")} is valid: 1 session, 0 sinks, 1 API key\n  env INTUNED_API_KEY: accepted\n`,
    );
  });

  it("exits 1, not 2, with one clear line when the API cannot be reached: an outage is not a config error", async () => {
    const dir = onlineWatchlist();
    const io = captureIO({ INTUNED_API_BASE_URL: await refusedUrl(), INTUNED_API_KEY: KEY }, dir);
    expect(await runCli(["check", "--online"], io)).toBe(1);
    expect(io.stdoutText()).toMatch(
      /is valid: 1 session, 0 sinks, 1 API key\n {2}env INTUNED_API_KEY: not verified \(NETWORK_ERROR\)\n$/,
    );
    const lines = io.stderrText().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^authwatch: could not reach the Intuned API to verify the keys: env INTUNED_API_KEY: .*The configuration is valid; try again when the API answers$/,
    );
    expect(io.stderrText()).not.toContain(KEY);
  });
});
