import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputStream } from "../cli/command-io.js";
import { loadWatchlist } from "../config/load.js";
import { startDaemon } from "../daemon/daemon.js";
import { formatDuration } from "../duration.js";
import type { AuthwatchEvent } from "../events.js";
import { startFakeIntunedApi } from "../fake-api/server.js";
import type { Logger } from "../logger.js";
import { startDemoReceiver } from "./receiver.js";
import { DEMO_EXPECTED_EVENTS, DEMO_SESSIONS, DEMO_STORY_MS, DEMO_WORKSPACE } from "./scenario.js";

export interface DemoResult {
  events: number;
  verified: number;
  rejected: number;
  retried: number;
  ok: boolean;
}

export interface DemoOptions {
  out: OutputStream;
  /** The daemon's logger: the console sink and operational lines. */
  logger: Logger;
  /** Hard stop, whatever happens. */
  maxMs?: number;
}

const DEMO_KEY = "demo-key-not-a-real-secret";

function describe(event: AuthwatchEvent): string {
  const data = event.data;
  if ("to" in data)
    return `${data.projectName}/${data.authSessionId} ${data.from ?? "(first seen)"} → ${data.to}`;
  if ("authSessionId" in data) return `${data.projectName}/${data.authSessionId} ${event.type}`;
  if ("projectName" in data) return `${data.projectName} ${event.type}`;
  return `${event.type} ${data.workspaceId}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `authwatch demo`: a simulated Intuned API, the real daemon with a real state file, the console
 * sink, and a signed webhook to a local receiver that verifies each one. Ends by itself.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { out } = options;
  const say = (line = "") => out.write(`${line}\n`);
  const started = Date.now();
  const folder = mkdtempSync(join(tmpdir(), "authwatch-demo-"));
  const secretBytes = randomBytes(24);

  const api = await startFakeIntunedApi({ apiKeys: [DEMO_KEY], sessions: DEMO_SESSIONS });
  const receiver = await startDemoReceiver({
    secret: secretBytes,
    refuseFirst: 1,
    onRefused: (id) =>
      say(
        `  receiver  ✖ answered 503 to webhook ${id.slice(0, 8)} on purpose (a brief outage): authwatch will retry`,
      ),
    onWebhook: (webhook) =>
      say(
        webhook.verified
          ? `  receiver  ✔ signature verified: ${webhook.event.type}  ${describe(webhook.event)}`
          : `  receiver  ✖ REJECTED ${webhook.event.type}: ${webhook.reason}`,
      ),
  });

  const watchlistPath = join(folder, "watchlist.json");
  writeFileSync(
    watchlistPath,
    JSON.stringify(
      {
        api: { workspaceId: DEMO_WORKSPACE, timeout: "2s" },
        defaults: { interval: "400ms", jitter: 0.1, failureThreshold: 3 },
        sessions: DEMO_SESSIONS.map((s) => ({
          project: s.projectName,
          id: s.authSessionId,
          labels: { demo: "true" },
        })),
        sinks: [
          { name: "console", type: "console" },
          {
            name: "receiver",
            type: "webhook",
            url: receiver.url,
            secretEnv: "AUTHWATCH_DEMO_WEBHOOK_SECRET",
          },
        ],
        state: "./state.db",
      },
      null,
      2,
    ),
  );

  say("authwatch demo: the whole pipeline on this machine, no Intuned account needed.");
  say();
  say(
    `  1. A simulated Intuned API (${api.url}) serves ${DEMO_SESSIONS.length} AuthSessions whose status changes on a script:`,
  );
  for (const session of DEMO_SESSIONS) {
    say(
      `       ${session.projectName}/${session.authSessionId}: ${(session.timeline ?? []).map((step) => step.status).join(" → ")}`,
    );
  }
  say("  2. The daemon polls each session every 400 ms and keeps its state in a real SQLite file:");
  say(`       ${join(folder, "state.db")}`);
  say("  3. Every change of status is one event. The console sink logs it; a webhook signed with the");
  say("     Standard Webhooks scheme goes to a local receiver, which verifies the signature.");
  say();

  const config = loadWatchlist(
    watchlistPath,
    {
      INTUNED_API_BASE_URL: api.url,
      INTUNED_API_KEY: DEMO_KEY,
      AUTHWATCH_DEMO_WEBHOOK_SECRET: `whsec_${secretBytes.toString("base64")}`,
    },
    { requireSecrets: true },
  );
  const daemon = await startDaemon({ config, logger: options.logger });
  let events = 0;
  daemon.bus.on("event", () => {
    events++;
  });

  const maxMs = options.maxMs ?? 45_000;
  const deadline = started + maxMs;
  // The story, then until every event is delivered (or the deadline).
  await sleep(DEMO_STORY_MS + 1_500);
  while (Date.now() < deadline) {
    const pending = Object.values(await daemon.outboxDepth()).reduce((sum, n) => sum + n, 0);
    if (pending === 0 && events >= DEMO_EXPECTED_EVENTS) break;
    await sleep(200);
  }
  await daemon.stop(5_000);
  await receiver.close();
  await api.close();
  rmSync(folder, { recursive: true, force: true });

  const verified = receiver.received.filter((webhook) => webhook.verified).length;
  const rejected = receiver.received.length - verified;
  const result: DemoResult = {
    events,
    verified,
    rejected,
    retried: receiver.refused,
    ok: events >= DEMO_EXPECTED_EVENTS && verified === events && rejected === 0,
  };
  say();
  say(
    `Summary: ${result.events} events, ${result.verified} webhook deliveries verified, ${result.rejected} rejected, ` +
      `${result.retried} retried after a refusal, in ${formatDuration(Date.now() - started)}.`,
  );
  say(
    result.ok
      ? "Every transition reached the receiver, signed. The demo's state file was removed."
      : "Some events were not delivered; see the log lines above.",
  );
  say();
  say("Next: write a watchlist.json for your sessions (see the README), check it with `authwatch check`,");
  say("then run `authwatch watch`, or hold a job with `authwatch wait my-project/my-session && ./run-job`.");
  return result;
}
