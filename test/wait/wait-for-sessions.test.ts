import { describe, expect, it } from "vitest";
import { UnauthorizedError } from "../../src/api/errors.js";
import { AuthwatchError, EXIT } from "../../src/errors/authwatch-error.js";
import { ConfigError } from "../../src/errors/config-error.js";
import type { SessionRef } from "../../src/types.js";
import type { WaitForSessionOptions, WaitTarget } from "../../src/wait/types.js";
import { WaitError } from "../../src/wait/wait-error.js";
import { waitForSession } from "../../src/wait/wait-for-sessions.js";
import { createManualClock } from "../helpers/manual-clock.js";
import { KEY, sessionRef, useFakeApiForFile } from "./fixtures.js";

const fake = useFakeApiForFile();

const INTERVAL_MS = 200;

function wait(
  sessions: WaitTarget | WaitTarget[],
  options: Partial<WaitForSessionOptions> = {},
  signal?: AbortSignal,
) {
  return waitForSession(
    {
      sessions,
      apiKey: KEY,
      baseUrl: fake.api().url,
      dispatcher: fake.dispatcher(),
      intervalMs: INTERVAL_MS,
      timeoutMs: 2_000,
      requestTimeoutMs: 1_000,
      ...options,
    },
    signal ? { signal } : {},
  );
}

async function failure(promise: Promise<unknown>): Promise<WaitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof WaitError)) throw new Error(`expected a WaitError, got ${String(error)}`);
  return error;
}

/** Milliseconds `run` took on the wall clock, with what it settled to. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

const requestsOf = (ref: SessionRef) =>
  fake
    .api()
    .requestLog()
    .filter((entry) => entry.ref?.authSessionId === ref.authSessionId);

describe.concurrent("waitForSession against the fake API", () => {
  it("sees READY within one interval of the change and reports since when", async () => {
    const ref = sessionRef("turns-ready");
    const changeAt = Date.now() + 1_000;
    fake.api().setTimeline(ref, [{ status: "PENDING", forMs: 1_000 }, { status: "READY" }]);
    const report = await wait(ref);
    const [session] = report.sessions;
    expect(session).toMatchObject({
      status: "READY",
      reached: true,
      lastError: null,
      sessionType: "CREDENTIALS",
    });
    const lag = session!.since! - changeAt;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThanOrEqual(INTERVAL_MS + 50);
    // Polls kept coming about once an interval while it was PENDING.
    expect(session!.polls).toBeGreaterThanOrEqual(5);
  });

  it("resolves at once when the session already has the status", async () => {
    const ref = sessionRef("already-ready");
    fake.api().setStatus(ref, "READY");
    const { ms, value } = await timed(() => wait(ref));
    // One poll and no sleep before it; the bound is loose because a loaded machine delays the request.
    expect(value.sessions[0]).toMatchObject({ polls: 1, reached: true });
    expect(ms).toBeLessThan(5 * INTERVAL_MS);
  });

  it("does not send the next request sooner than a 429's Retry-After of 2 seconds", async () => {
    const ref = sessionRef("rate-limited");
    fake.api().setStatus(ref, "READY");
    fake.api().injectFault({ kind: "status", status: 429, retryAfter: 2, count: 1, session: ref });
    const report = await wait(ref, { timeoutMs: 5_000 });
    const [limited, next] = requestsOf(ref);
    expect(limited?.status).toBe(429);
    expect(next?.status).toBe(200);
    const gap = next!.at - limited!.at;
    expect(gap).toBeGreaterThanOrEqual(2_000);
    expect(gap).toBeLessThan(2_000 + INTERVAL_MS);
    expect(report.sessions[0]).toMatchObject({ reached: true, polls: 2 });
  });

  it("holds back every session on the same key while a Retry-After runs", async () => {
    // Two projects, so each session has its own GET (two of one project would share one list request).
    const limited = sessionRef("limited-sibling", "project-a");
    const other = sessionRef("unlimited-sibling", "project-b");
    fake.api().setStatus(limited, "READY");
    fake.api().setTimeline(other, [{ status: "PENDING", forMs: 1_500 }, { status: "READY" }]);
    fake.api().injectFault({ kind: "status", status: 429, retryAfter: 1, count: 1, session: limited });
    await wait([limited, other], { timeoutMs: 4_000 });
    const refusedAt = requestsOf(limited).find((entry) => entry.status === 429)!.at;
    // A request already sent when the 429 came back may still arrive just after it (the machine may
    // be loaded); from a quarter second on, nothing may come until the Retry-After has run out.
    const during = requestsOf(other).filter(
      (entry) => entry.at > refusedAt + 250 && entry.at < refusedAt + 1_000,
    );
    expect(during).toEqual([]);
  });

  it("cuts a hanging request at the deadline instead of overshooting it", async () => {
    const ref = sessionRef("hangs-long");
    fake.api().setStatus(ref, "READY");
    fake.api().injectFault({ kind: "latency", ms: 10_000, session: ref });
    // The request timeout is longer than the whole wait: only the deadline can end the request.
    const { ms, value: error } = await timed(() =>
      failure(wait(ref, { timeoutMs: 800, requestTimeoutMs: 10_000 })),
    );
    expect(ms).toBeGreaterThanOrEqual(790);
    expect(ms).toBeLessThan(800 + 150);
    // The wait's own deadline cut the request: a timeout (exit 1), not proof the API is failing.
    expect(error.reason).toBe("timeout");
    expect(error.exitCode).toBe(EXIT.FAILURE);
    expect(error.report.sessions[0]?.lastError?.code).toBe("TIMEOUT");
  });

  it("retries request timeouts until the deadline and overshoots it by less than one request timeout", async () => {
    const ref = sessionRef("always-slow");
    fake.api().setStatus(ref, "READY");
    fake.api().injectFault({ kind: "latency", ms: 5_000, session: ref });
    const { ms, value: error } = await timed(() =>
      failure(wait(ref, { timeoutMs: 1_000, requestTimeoutMs: 300 })),
    );
    expect(ms).toBeLessThan(1_000 + 300);
    expect(error.reason).toBe("api_failing");
    expect(error.report.sessions[0]?.polls).toBeGreaterThanOrEqual(2);
    expect(error.report.sessions[0]?.lastError).toMatchObject({ code: "TIMEOUT" });
  });

  it("checks once with timeout 0, letting that one request run to its own timeout", async () => {
    const ref = sessionRef("slow-once");
    fake.api().setStatus(ref, "READY");
    fake.api().injectFault({ kind: "latency", ms: 5_000, session: ref });
    const { ms, value: error } = await timed(() =>
      failure(wait(ref, { timeoutMs: 0, requestTimeoutMs: 400 })),
    );
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(400 + 150);
    expect(error.reason).toBe("api_failing");
    expect(error.report.sessions[0]?.polls).toBe(1);
  });

  it("times out with exit code 1 when the API answers but the status never comes", async () => {
    const ref = sessionRef("stays-pending");
    fake.api().setStatus(ref, "PENDING");
    const { ms, value: error } = await timed(() => failure(wait(ref, { timeoutMs: 1_000 })));
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(error).toMatchObject({ reason: "timeout", code: "WAIT_TIMEOUT", exitCode: EXIT.FAILURE });
    expect(error.report.sessions[0]).toMatchObject({ status: "PENDING", lastError: null, reached: false });
    expect(error.message).toMatch(
      /timed out after 1s waiting for READY: my-project\/stays-pending \(PENDING(, seen for \d+m?s)?\)$/,
    );
  });

  it("retries 5xx until the deadline and then reports the API as failing with exit code 5", async () => {
    const ref = sessionRef("server-down");
    fake.api().setStatus(ref, "READY");
    fake.api().injectFault({ kind: "status", status: 503, session: ref });
    const error = await failure(wait(ref, { timeoutMs: 1_200 }));
    expect(error).toMatchObject({
      reason: "api_failing",
      code: "WAIT_API_FAILING",
      exitCode: EXIT.API_FAILING,
    });
    expect(error.report.sessions[0]?.status).toBeNull();
    expect(error.report.sessions[0]?.lastError).toMatchObject({ code: "SERVER_ERROR" });
    expect(error.report.sessions[0]?.polls).toBeGreaterThanOrEqual(3);
    expect(error.message).toContain("server error: HTTP 503");
  });

  it("rides out a short outage and still resolves", async () => {
    const ref = sessionRef("brief-outage");
    fake.api().setStatus(ref, "READY");
    fake.api().injectFault({ kind: "status", status: 502, count: 2, session: ref });
    const report = await wait(ref);
    expect(report.sessions[0]).toMatchObject({ status: "READY", lastError: null, polls: 3 });
  });

  it("ends at once with exit code 3 when a session it waits on to be READY is EXPIRED", async () => {
    const ref = sessionRef("expired-one");
    fake.api().setStatus(ref, "EXPIRED");
    const { ms, value: error } = await timed(() => failure(wait(ref, { intervalMs: 1_000 })));
    expect(ms).toBeLessThan(500);
    expect(error).toMatchObject({
      reason: "ended_early",
      code: "WAIT_ENDED_EARLY",
      exitCode: EXIT.ENDED_EARLY,
    });
    expect(error.message).toContain("my-project/expired-one (EXPIRED");
  });

  it("ends at once when the session does not exist (404)", async () => {
    const error = await failure(wait(sessionRef("never-created")));
    expect(error.reason).toBe("ended_early");
    expect(error.report.sessions[0]).toMatchObject({ status: "NOT_FOUND", sessionType: null, polls: 1 });
  });

  it("keeps waiting through EXPIRED without fail-fast, until READY comes", async () => {
    const ref = sessionRef("expired-then-ready");
    fake.api().setTimeline(ref, [{ status: "EXPIRED", forMs: 600 }, { status: "READY" }]);
    const report = await wait(ref, { failFast: false });
    expect(report.sessions[0]).toMatchObject({ status: "READY", reached: true });
  });

  it("does not end early when waiting for a status other than READY", async () => {
    const ref = sessionRef("ready-not-expired");
    fake.api().setStatus(ref, "READY");
    const error = await failure(wait(ref, { for: "EXPIRED", timeoutMs: 600 }));
    expect(error.reason).toBe("timeout");
    expect(error.report.sessions[0]?.polls).toBeGreaterThanOrEqual(3);
  });

  it("waits for NOT_FOUND until the session is deleted", async () => {
    const ref = sessionRef("to-be-deleted");
    fake.api().setTimeline(ref, [{ status: "READY", forMs: 500 }, { status: "NOT_FOUND" }]);
    const report = await wait(ref, { for: "NOT_FOUND" });
    expect(report.sessions[0]).toMatchObject({ status: "NOT_FOUND", reached: true });
  });

  it("stops at the first 401 with exit code 4 and the refusal as cause", async () => {
    const ref = sessionRef("wrong-key");
    fake.api().setStatus(ref, "READY");
    const { ms, value: error } = await timed(() => failure(wait(ref, { apiKey: "sk-revoked" })));
    expect(ms).toBeLessThan(500);
    expect(error).toMatchObject({
      reason: "unauthorized",
      code: "UNAUTHORIZED",
      exitCode: EXIT.UNAUTHORIZED,
    });
    expect(error.cause).toBeInstanceOf(UnauthorizedError);
    expect(error.report.sessions[0]).toMatchObject({ polls: 1, lastError: { code: "UNAUTHORIZED" } });
  });

  it("uses a session's own key over the default one", async () => {
    const ref = sessionRef("own-key");
    fake.api().setStatus(ref, "READY");
    const report = await wait({ ...ref, apiKey: KEY }, { apiKey: "sk-revoked" });
    expect(report.sessions[0]?.reached).toBe(true);
  });

  it("succeeds only when every session has the status, and names the ones that never got it", async () => {
    const ready = sessionRef("group-ready");
    const late = sessionRef("group-late");
    const stuck = sessionRef("group-stuck", "billing");
    fake.api().setStatus(ready, "READY");
    fake.api().setTimeline(late, [{ status: "PENDING", forMs: 500 }, { status: "READY" }]);
    fake.api().setStatus(stuck, "PENDING");
    const both = await wait([ready, late]);
    expect(both.sessions.map((session) => session.reached)).toEqual([true, true]);

    const error = await failure(wait([ready, stuck], { timeoutMs: 700 }));
    expect(error.reason).toBe("timeout");
    expect(error.message).toContain("billing/group-stuck (PENDING");
    expect(error.message).not.toContain("group-ready");
    expect(error.report.sessions.map((session) => session.reached)).toEqual([true, false]);
  });

  it("stops at once on the caller's abort and takes the exit code from its reason", async () => {
    const ref = sessionRef("interrupted");
    fake.api().setStatus(ref, "PENDING");
    const controller = new AbortController();
    let polled = () => {};
    const firstPoll = new Promise<void>((resolve) => {
      polled = resolve;
    });
    const pending = wait(ref, { timeoutMs: 10_000, onProgress: () => polled() }, controller.signal);
    await firstPoll;
    const abortedAt = performance.now();
    controller.abort(new AuthwatchError("ABORTED", "interrupted by SIGTERM", { exitCode: EXIT.SIGTERM }));
    const error = await failure(pending);
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(error).toMatchObject({ reason: "aborted", code: "ABORTED", exitCode: EXIT.SIGTERM });
    expect(error.message).toMatch(/^interrupted by SIGTERM after .* my-project\/interrupted \(PENDING[,)]/);
  });

  it("rejects a session without any API key as a config error", async () => {
    const promise = waitForSession({ sessions: sessionRef("no-key"), baseUrl: fake.api().url });
    await expect(promise).rejects.toBeInstanceOf(ConfigError);
    await expect(promise).rejects.toMatchObject({ exitCode: EXIT.USAGE, message: /sessions\[0\]\.apiKey/ });
  });
});

/** Real I/O finishes in real time: wait (briefly) until the loop has parked on its next timer. */
async function until(condition: () => boolean): Promise<void> {
  const giveUpAt = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error("condition not met within 2s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("waitForSession with an injected clock", () => {
  it("polls once per interval of the clock and reports the clock's times", async () => {
    const clock = createManualClock();
    const startedAt = clock.now();
    const ref = sessionRef("manual-ready");
    fake.api().setStatus(ref, "PENDING");
    const pending = wait(ref, { clock, intervalMs: 60_000, timeoutMs: 300_000, jitter: 0 });
    // The deadline's timer and the sleep after the first poll.
    await until(() => clock.pendingTimers() === 2);
    expect(requestsOf(ref)).toHaveLength(1);
    fake.api().setStatus(ref, "READY");
    await clock.advance(59_999);
    expect(requestsOf(ref)).toHaveLength(1);
    await clock.advance(1);
    const report = await pending;
    expect(report.elapsedMs).toBe(60_000);
    expect(report.sessions[0]).toMatchObject({ polls: 2, since: startedAt + 60_000, reached: true });
  });

  it("ends exactly at the clock's deadline, the last sleep shortened to fit", async () => {
    const clock = createManualClock();
    const ref = sessionRef("manual-timeout");
    fake.api().setStatus(ref, "PENDING");
    const pending = failure(wait(ref, { clock, intervalMs: 60_000, timeoutMs: 150_000, jitter: 0 }));
    for (let poll = 1; poll <= 3; poll++) {
      await until(() => clock.pendingTimers() === 2 && requestsOf(ref).length === poll);
      await clock.advance(60_000);
    }
    const error = await pending;
    expect(error.reason).toBe("timeout");
    expect(error.report.elapsedMs).toBe(150_000);
    expect(error.report.sessions[0]?.polls).toBe(3);
  });
});
