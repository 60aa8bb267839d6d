import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthwatchEvent } from "../../src/events.js";
import { createLogger } from "../../src/logger.js";
import { createSink } from "../../src/sinks/create-sink.js";
import { SINK_KINDS, type SinkConfig, type SinkType } from "../../src/sinks/kinds.js";
import type { DeliveryOutcome, Sink } from "../../src/sinks/sink.js";
import { createManualClock } from "../helpers/manual-clock.js";
import {
  attemptContext,
  commandConfig,
  consoleConfig,
  EXPIRED,
  emailConfig,
  pagerDutyConfig,
  ROUTING_KEY,
  SMTP_PASSWORD,
  webhookConfig,
} from "./fixtures.js";
import { closedPort, type Receiver, startReceiver } from "./receiver.js";

/** A credential in the URL's path, as Slack and Teams put it. */
const URL_SECRET = "XXXXURLSECRET";

/**
 * How each sink kind is built against a receiver on loopback. `Record<SinkType, …>`: a new kind does
 * not compile until it is added here, and so passes the same contract as every other.
 */
interface KindFixture {
  config(origin: string): SinkConfig;
  /** What must never appear in an outcome. */
  secrets: string[];
  /** Delivers over HTTP, so the shared status table applies. */
  http: boolean;
  /** Goes through the outbox, so an aborted attempt must come back to be retried. */
  durable: boolean;
}

/** The command sink's script hangs on this event and exits 0 on any other. */
const HANGING: AuthwatchEvent = { ...EXPIRED, data: { ...EXPIRED.data, eventId: "hang" } };
const HANG_SCRIPT = `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{if(!s.includes('"hang"'))process.exit(0);setTimeout(()=>{},10000)})`;

const FIXTURES: Record<SinkType, KindFixture> = {
  // Pointed at the HTTP receiver, which never greets: every attempt fails, none may throw or leak.
  email: {
    config: (origin) => emailConfig("127.0.0.1", Number(new URL(origin).port), { timeoutMs: 300 }),
    secrets: [SMTP_PASSWORD],
    http: false,
    durable: true,
  },
  console: { config: () => consoleConfig(), secrets: [], http: false, durable: false },
  command: {
    config: () => commandConfig([process.execPath, "-e", HANG_SCRIPT], { timeoutMs: 5_000 }),
    secrets: [],
    http: false,
    durable: true,
  },
  webhook: {
    config: (origin) => webhookConfig(`${origin}/services/T0/B0/${URL_SECRET}`, { timeoutMs: 1_000 }),
    secrets: [URL_SECRET, "/services"],
    http: true,
    durable: true,
  },
  pagerduty: {
    config: (origin) => pagerDutyConfig(`${origin}/v2/enqueue`, { timeoutMs: 1_000 }),
    secrets: [ROUTING_KEY],
    http: true,
    durable: true,
  },
};

const ALIGNED_NOW = Math.floor(Date.now() / 1000) * 1000;

/** The status table every HTTP sink shares: 2xx ok; 408/429/5xx retry with Retry-After; 410 disable; other 4xx permanent. */
const STATUS_TABLE: Array<{
  status: number;
  retryAfter?: string;
  expected: Partial<DeliveryOutcome> & { kind: string };
}> = [
  { status: 200, expected: { kind: "delivered" } },
  { status: 202, expected: { kind: "delivered" } },
  { status: 408, expected: { kind: "retry" } },
  { status: 429, retryAfter: "30", expected: { kind: "retry", retryAfterMs: 30_000 } },
  { status: 500, expected: { kind: "retry" } },
  { status: 503, retryAfter: "120", expected: { kind: "retry", retryAfterMs: 120_000 } },
  { status: 410, expected: { kind: "disable" } },
  { status: 400, expected: { kind: "permanent" } },
  { status: 401, expected: { kind: "permanent" } },
  { status: 404, expected: { kind: "permanent" } },
];

const logger = createLogger({ destination: { write: () => undefined } });
const NOT_AN_EVENT = { type: "something.else", data: {} } as unknown as AuthwatchEvent;

function expectNoSecret(outcome: DeliveryOutcome, secrets: string[]): void {
  const text = JSON.stringify(outcome);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe.each(Object.keys(SINK_KINDS) as SinkType[])("the %s sink kind's contract", (type) => {
  const fixture = FIXTURES[type];
  let receiver: Receiver;
  let sink: Sink;
  const clock = createManualClock(ALIGNED_NOW);

  beforeAll(async () => {
    receiver = await startReceiver();
    sink = createSink(fixture.config(receiver.origin), { logger, clock });
  });
  afterAll(async () => {
    await sink.close?.();
    await receiver.close();
  });

  it("never throws, whatever the event or the receiver", async () => {
    receiver.respond = (_, res: ServerResponse) => res.destroy();
    for (const event of [EXPIRED, NOT_AN_EVENT]) {
      const outcome = await sink.deliver(event, attemptContext());
      expect(["delivered", "retry", "permanent", "disable"]).toContain(outcome.kind);
      expectNoSecret(outcome, fixture.secrets);
    }
  });

  // Kinds a property does not apply to (a console line cannot be aborted or get an HTTP status) do not
  // register that test at all, so the report counts no skipped tests for them.
  if (fixture.durable)
    it("gives a retryable outcome when the attempt is aborted, even mid-flight", async () => {
      receiver.respond = () => undefined; // never answers
      const controller = new AbortController();
      const pending = sink.deliver(HANGING, attemptContext(1, controller.signal));
      setTimeout(() => controller.abort(), 100);
      const outcome = await pending;
      expect(outcome).toMatchObject({ kind: "retry", error: { code: "ABORTED" } });
      expectNoSecret(outcome, fixture.secrets);
      const already = await sink.deliver(EXPIRED, attemptContext(1, AbortSignal.abort()));
      expect(already).toMatchObject({ kind: "retry", error: { code: "ABORTED" } });
    });

  if (fixture.http)
    it("retries, without naming a secret, when nothing listens", async () => {
      const port = await closedPort();
      const offline = createSink(fixture.config(`http://127.0.0.1:${port}`), { logger, clock });
      const outcome = await offline.deliver(EXPIRED, attemptContext());
      await offline.close?.();
      expect(outcome).toMatchObject({ kind: "retry", error: { code: "NETWORK_ERROR" } });
      expectNoSecret(outcome, fixture.secrets);
    });

  if (fixture.http)
    describe("the HTTP status table", () => {
      it.each(STATUS_TABLE)("HTTP $status is $expected.kind", async ({ status, retryAfter, expected }) => {
        receiver.respond = (_, res) =>
          res
            .writeHead(status, retryAfter ? { "retry-after": retryAfter } : {})
            .end(JSON.stringify({ echo: receiver.requests.at(-1)?.body }));
        const outcome = await sink.deliver(EXPIRED, attemptContext());
        expect(outcome).toMatchObject(expected);
        if (expected.kind !== "retry" || !("retryAfterMs" in expected))
          expect(outcome).not.toHaveProperty("retryAfterMs");
        expectNoSecret(outcome, fixture.secrets);
      });
    });
});
