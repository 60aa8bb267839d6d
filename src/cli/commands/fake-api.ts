import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EXIT } from "../../errors/authwatch-error.js";
import { UsageError } from "../../errors/usage-error.js";
import { parseFakeApiConfig } from "../../fake-api/config.js";
import { SCENARIO_WORKSPACE, SCENARIOS } from "../../fake-api/scenarios.js";
import { FAKE_CONTROL_PREFIX, startFakeIntunedApi } from "../../fake-api/server.js";
import type { FakeIntunedApiOptions } from "../../fake-api/types.js";
import { defineCommand } from "../cli-command.js";

export const DEFAULT_FAKE_API_KEY = "fake-key";

interface FakeApiFlags {
  port: string;
  key: string;
  sessions?: string;
  scenario?: string;
}

/**
 * `authwatch fake-api`: the simulated Intuned API the tests use, as a command, so authwatch can be
 * tried without an account. Loopback only; runs until SIGINT/SIGTERM.
 */
export const fakeApiCommand = defineCommand<{ flags: FakeApiFlags }, FakeApiFlags>({
  declare: (parent) =>
    parent
      .command("fake-api")
      .description("run a simulated Intuned API on 127.0.0.1, with a control endpoint (docs/fake-api.md)")
      .option("--port <n>", "port to listen on (0: any free port)", "0")
      .option("--key <key>", "the API key it accepts", DEFAULT_FAKE_API_KEY)
      .option("--sessions <file>", "JSON file: an array of sessions, or a full fake API config")
      .option(
        "--scenario <name>",
        `built-in sessions: ${Object.keys(SCENARIOS).join(", ")} (default: project)`,
      ),
  toOptions: ({ options }) => ({ flags: options }),
  async run({ flags }, { io }) {
    const config = fakeApiOptions(flags, io.cwd);
    const api = await startFakeIntunedApi(config).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        error.code === "EADDRINUSE"
          ? `port ${config.port} is already in use — pick another with --port, or 0 for any free port`
          : `cannot listen on 127.0.0.1:${config.port} (${error.code ?? error.message})`,
      );
    });
    const origin = new URL(api.url).origin;
    const sessions = config.sessions ?? [];
    const workspace = sessions[0]?.workspaceId ?? SCENARIO_WORKSPACE;
    const projects = [...new Set(sessions.map((session) => session.projectName))];
    const example = JSON.stringify({
      workspaceId: workspace,
      projectName: projects[0] ?? "my-project",
      authSessionId: sessions[0]?.authSessionId ?? "user-1",
      status: "EXPIRED",
    });
    io.stdout.write(
      [
        `fake Intuned API listening on ${api.url} (Ctrl-C to stop)`,
        "",
        "Point authwatch at it:",
        `  export INTUNED_API_BASE_URL=${api.url}`,
        `  export INTUNED_API_KEY=${config.apiKeys[0] ?? DEFAULT_FAKE_API_KEY}`,
        `  export INTUNED_WORKSPACE_ID=${workspace}`,
        "",
        `${sessions.length} session(s)${projects.length > 0 ? ` in ${projects.join(", ")}` : ""}. Change one:`,
        `  curl -s -X POST ${origin}${FAKE_CONTROL_PREFIX}/status -d '${example}'`,
        "More controls (add/remove sessions, refuse the key, faults): docs/fake-api.md",
        "",
      ].join("\n"),
    );
    await new Promise<void>((done) => {
      const unsubscribe: Array<() => void> = [];
      const stop = () => {
        for (const off of unsubscribe) off();
        done();
      };
      unsubscribe.push(io.onSignal("SIGINT", stop), io.onSignal("SIGTERM", stop));
    });
    await api.close();
    return EXIT.OK;
  },
});

/** The fake's options from the command line; every mistake is a UsageError naming the flag. */
export function fakeApiOptions(options: FakeApiFlags, cwd: string): FakeIntunedApiOptions {
  const port = Number(options.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`--port "${options.port}" must be a whole number from 0 to 65535`);
  }
  if (options.sessions !== undefined && options.scenario !== undefined) {
    throw new UsageError("use --sessions or --scenario, not both");
  }
  const base = { host: "127.0.0.1", port, apiKeys: [options.key] };
  if (options.sessions === undefined) {
    const name = options.scenario ?? "project";
    const scenario = SCENARIOS[name];
    if (!scenario) {
      throw new UsageError(`--scenario "${name}" is not one of ${Object.keys(SCENARIOS).join(", ")}`);
    }
    return { ...base, sessions: scenario.sessions };
  }
  const path = resolve(cwd, options.sessions);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "not valid JSON";
    throw new UsageError(`--sessions ${path} cannot be read (${reason}) — pass a JSON file`);
  }
  try {
    const config = parseFakeApiConfig(Array.isArray(json) ? { apiKeys: [], sessions: json } : json);
    // Always loopback, whatever the file says: the control endpoint has no authentication.
    return { ...config, host: "127.0.0.1", port, apiKeys: [...config.apiKeys, options.key] };
  } catch (error) {
    throw new UsageError(
      `--sessions ${path}: ${(error as Error).message.replace(/:\n\s*/, ": ").replace(/\n\s*/g, "; ")}`,
    );
  }
}
