import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createOutboxWorker, type OutboxWorker } from "../../src/delivery/outbox-worker.js";
import { createEmailSink } from "../../src/sinks/email-sink.js";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { createManualClock, type ManualClock } from "../helpers/manual-clock.js";
import { emailConfig } from "../sinks/fixtures.js";
import { type SmtpReceiver, startSmtpReceiver } from "../sinks/smtp-receiver.js";
import { ref, state, T0, tempDir, transitionEvent } from "../store/fixtures.js";
import { captureLogger } from "./fake-sink.js";

const RECIPIENTS = ["a@example.com", "b@example.com", "c@example.com"];
const WAIT = { timeout: 10_000, interval: 20 };

/** A real SMTP server, a real SQLite file and the outbox worker: what a partly refused mail goes through. */
describe("a mail refused for now by one of its recipients", () => {
  let temp: ReturnType<typeof tempDir>;
  let smtp: SmtpReceiver;
  let clock: ManualClock;
  let store: SqliteStore | undefined;
  let worker: OutboxWorker | undefined;

  beforeEach(async () => {
    temp = tempDir();
    smtp = await startSmtpReceiver();
    clock = createManualClock(T0);
  });
  afterEach(async () => {
    await stopWorker();
    store?.close();
    await smtp.close();
    temp.cleanup();
  });

  async function stopWorker(): Promise<void> {
    const stopping = worker?.stop(1_000);
    await clock.advance(1_000);
    await stopping;
    worker = undefined;
  }

  const startWorker = (s: SqliteStore, quickRetries: number) => {
    const config = { ...emailConfig(smtp.host, smtp.port, { to: RECIPIENTS }), smtp: smtpWithoutAuth() };
    worker = createOutboxWorker({
      store: s,
      sinks: new Map([["mail", { sink: createEmailSink(config), fingerprint: "fp" }]]),
      disabledSinks: s.disabledSinks(),
      clock,
      logger: captureLogger().logger,
      random: () => 0.5,
      quickRetries,
    });
    worker.start();
  };
  const smtpWithoutAuth = () => ({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    user: undefined,
    password: undefined,
  });
  const recordExpired = (s: SqliteStore) => {
    const session = ref("a");
    s.recordTransition(session, state("EXPIRED", T0), transitionEvent(session, "EXPIRED", { at: T0 }), [
      "mail",
    ]);
  };
  const delivery = (s: SqliteStore) => s.history()[0]?.deliveries[0];
  const mailboxes = () => smtp.mails.flatMap((mail) => mail.to).sort();

  it("is sent again after a restart to that recipient only, so each mailbox gets it once", async () => {
    smtp.refuseRecipient("b@example.com", 451, "Mailbox busy, try later");
    const before = openStore(temp.file(), { clock });
    store = before;
    recordExpired(before);
    startWorker(before, 0);
    await vi.waitFor(() => expect(delivery(before)?.lastError?.code).toBe("SMTP_451"), WAIT);
    expect(delivery(before)?.status).toBe("pending");
    expect(mailboxes()).toEqual(["a@example.com", "c@example.com"]);
    await stopWorker();
    before.close();

    const asked = smtp.rcptTo.length;
    const after = openStore(temp.file(), { clock });
    store = after;
    startWorker(after, 0);
    await clock.advance(60_000);
    await vi.waitFor(() => expect(delivery(after)?.status).toBe("delivered"), WAIT);
    expect(smtp.rcptTo.slice(asked)).toEqual(["b@example.com"]);
    expect(mailboxes()).toEqual(RECIPIENTS);
    expect(delivery(after)?.attempts).toBe(2);
  });

  it("is sent to that recipient only by a quick retry too", async () => {
    smtp.refuseRecipient("b@example.com", 451, "Mailbox busy, try later");
    const s = openStore(temp.file(), { clock });
    store = s;
    recordExpired(s);
    startWorker(s, 1);
    await vi.waitFor(() => expect(smtp.rcptTo).toHaveLength(3), WAIT);
    await vi.waitFor(async () => {
      await clock.advance(1_000);
      expect(delivery(s)?.status).toBe("delivered");
    }, WAIT);
    expect(smtp.rcptTo).toEqual([...RECIPIENTS, "b@example.com"]);
    expect(mailboxes()).toEqual(RECIPIENTS);
  });
});
