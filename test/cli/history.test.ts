import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { TransitionEvent } from "../../src/events.js";
import { openStore } from "../../src/store/store.js";
import { captureIO } from "../helpers/capture-io.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "my-project", authSessionId });
let dir: string;

function event(id: string, session: string, from: string | null, to: string, at: string): TransitionEvent {
  return {
    type: to === "READY" ? "authsession.ready" : "authsession.expired",
    timestamp: at,
    data: {
      eventId: id,
      ...ref(session),
      sessionType: "CREDENTIALS",
      from,
      to,
      observedAt: at,
      previousSince: null,
      labels: {},
    },
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "authwatch-history-"));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({ api: { workspaceId: WORKSPACE }, state: "./state.db" }),
  );
  const store = openStore(join(dir, "state.db"));
  const ready = event("e-1", "auth-session-123", null, "READY", "2026-11-22T09:12:03.000Z");
  const expired = event("e-2", "auth-session-123", "READY", "EXPIRED", "2026-11-25T16:00:00.000Z");
  const other = event("e-3", "other-session", null, "READY", "2026-11-25T16:30:00.000Z");
  store.recordTransition(
    ref("auth-session-123"),
    { status: "READY", sessionType: "CREDENTIALS", since: 1 },
    ready,
    ["oncall"],
  );
  store.recordTransition(
    ref("auth-session-123"),
    { status: "EXPIRED", sessionType: "CREDENTIALS", since: 2 },
    expired,
    ["oncall"],
  );
  store.recordTransition(
    ref("other-session"),
    { status: "READY", sessionType: "CREDENTIALS", since: 3 },
    other,
    [],
  );
  const [row] = store.dueDeliveries("oncall", Date.now(), 10);
  store.markDelivered(row!.id, Date.now());
  store.close();
});

describe("authwatch history", () => {
  it("lists every persisted event oldest first with its delivery status per sink", async () => {
    const io = captureIO({}, dir);
    expect(await runCli(["history"], io)).toBe(0);
    const lines = io.stdoutText().trim().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+SESSION\s+EVENT\s+CHANGE\s+DELIVERIES$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      [
        "2026-11-22T09:12:03.000Z",
        "my-project/auth-session-123",
        "authsession.ready",
        "(first seen) → READY",
        "oncall:delivered",
      ],
      [
        "2026-11-25T16:00:00.000Z",
        "my-project/auth-session-123",
        "authsession.expired",
        "READY → EXPIRED",
        "oncall:pending(0 tries)",
      ],
      [
        "2026-11-25T16:30:00.000Z",
        "my-project/other-session",
        "authsession.ready",
        "(first seen) → READY",
        "-",
      ],
    ]);
  });

  it("filters to one session and prints JSON with the deliveries", async () => {
    const io = captureIO({}, dir);
    expect(await runCli(["history", "my-project/auth-session-123", "--json", "--limit", "1"], io)).toBe(0);
    const { events } = JSON.parse(io.stdoutText()) as { events: Record<string, unknown>[] };
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "authsession.expired",
      data: { eventId: "e-2", from: "READY", to: "EXPIRED" },
      deliveries: [{ sink: "oncall", status: "pending", attempts: 0 }],
    });
  });

  it("says so when there is no state file yet, and rejects a malformed target with exit 2", async () => {
    const empty = mkdtempSync(join(tmpdir(), "authwatch-history-empty-"));
    const io = captureIO({}, empty);
    expect(await runCli(["history"], io)).toBe(0);
    expect(io.stdoutText()).toBe("No events recorded yet.\n");
    const bad = captureIO({}, dir);
    expect(await runCli(["history", "no-slash"], bad)).toBe(2);
    expect(bad.stderrText()).toContain("PROJECT/SESSION_ID");
  });

  it("always says which state file it read", async () => {
    const io = captureIO({}, dir);
    expect(await runCli(["history", "--json"], io)).toBe(0);
    expect(io.stderrText()).toBe(`authwatch: events from ${join(dir, "state.db")}\n`);
  });

  it("names the state file it looked for when it is missing, and how to point at the service's", async () => {
    // A shell beside a watchlist copied to /etc/authwatch: the service's state is elsewhere.
    const etc = mkdtempSync(join(tmpdir(), "authwatch-history-etc-"));
    writeFileSync(join(etc, "watchlist.json"), JSON.stringify({ api: { workspaceId: WORKSPACE } }));
    const io = captureIO({}, tmpdir());
    expect(await runCli(["history", "-c", join(etc, "watchlist.json")], io)).toBe(0);
    expect(io.stderrText()).toBe(
      `authwatch: no state file at ${join(etc, ".authwatch", "state.db")}: the daemon has not written one there. ` +
        "If it keeps its state elsewhere (the systemd unit uses /var/lib/authwatch/state.db), pass --state PATH or set AUTHWATCH_STATE\n",
    );
  });

  it("reads the state file --state names, before AUTHWATCH_STATE and the watchlist", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "authwatch-history-cwd-"));
    const io = captureIO({ AUTHWATCH_STATE: join(elsewhere, "missing.db") }, elsewhere);
    expect(await runCli(["--state", join(dir, "state.db"), "history", "--json"], io)).toBe(0);
    const { events } = JSON.parse(io.stdoutText()) as { events: unknown[] };
    expect(events).toHaveLength(3);
    const after = captureIO({}, elsewhere);
    expect(await runCli(["history", "--state", join(dir, "state.db"), "--limit", "1"], after)).toBe(0);
    expect(after.stderrText()).toContain(`events from ${join(dir, "state.db")}`);
  });
});
