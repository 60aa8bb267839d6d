import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createStateWriter } from "../../src/daemon/state-writer.js";
import type { AuthwatchEvent, TransitionEvent } from "../../src/events.js";
import { openStore } from "../../src/store/store.js";
import type { SqliteStore } from "../../src/store/types.js";
import { captureLog } from "../helpers/log-capture.js";

const ref = { workspaceId: "123e4567-e89b-12d3-a456-426614174000", projectName: "p", authSessionId: "s-1" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function transitionEvent(id: string, from: string | null, to: string): TransitionEvent {
  return {
    type: to === "READY" ? "authsession.ready" : "authsession.expired",
    timestamp: new Date().toISOString(),
    data: {
      eventId: id,
      ...ref,
      sessionType: null,
      from,
      to,
      observedAt: "",
      previousSince: null,
      labels: {},
    },
  };
}

/** A real store whose writes fail while `failing` is set, as a full disk would. */
function flakyStore(): { store: SqliteStore; setFailing(on: boolean): void } {
  const real = openStore(join(mkdtempSync(join(tmpdir(), "authwatch-writer-")), "state.db"));
  let failing = false;
  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      if (failing) throw new Error("SQLITE_FULL: database or disk is full");
      fn(...args);
    };
  const store: SqliteStore = Object.create(real);
  store.commit = guard(real.commit.bind(real));
  return { store, setFailing: (on) => (failing = on) };
}

describe("the state writer", () => {
  it("commits changes that arrive together in one batch and publishes them after the commit, in order", async () => {
    const { store } = flakyStore();
    const published: string[] = [];
    const writer = createStateWriter({
      store,
      logger: captureLog().logger,
      route: () => [],
      publish: (event) => published.push(event.data.eventId),
    });
    writer.recordTransition(
      ref,
      { status: "READY", sessionType: null, since: 1 },
      transitionEvent("a", null, "READY"),
    );
    writer.recordTransition(
      ref,
      { status: "EXPIRED", sessionType: null, since: 2 },
      transitionEvent("b", "READY", "EXPIRED"),
    );
    expect(published).toEqual([]);
    await sleep(10);
    expect(published).toEqual(["a", "b"]);
    expect(store.history().map((entry) => entry.eventId)).toEqual(["a", "b"]);
  });

  it("keeps changes the store refuses and writes them, in order, once it accepts writes again", async () => {
    const { store, setFailing } = flakyStore();
    const published: string[] = [];
    const log = captureLog();
    const writer = createStateWriter({
      store,
      logger: log.logger,
      route: () => [],
      publish: (event: AuthwatchEvent) => published.push(event.data.eventId),
      retryDelayMs: 20,
    });
    setFailing(true);
    writer.recordTransition(
      ref,
      { status: "EXPIRED", sessionType: null, since: 2 },
      transitionEvent("lost?", "READY", "EXPIRED"),
    );
    await sleep(60);
    expect(published).toEqual([]);
    expect(writer.healthy()).toBe(false);
    writer.recordTransition(
      ref,
      { status: "READY", sessionType: null, since: 3 },
      transitionEvent("later", "EXPIRED", "READY"),
    );
    setFailing(false);
    await sleep(200);
    expect(published).toEqual(["lost?", "later"]);
    expect(store.history().map((entry) => entry.eventId)).toEqual(["lost?", "later"]);
    expect(writer.healthy()).toBe(true);
    expect(log.lines().some((line) => String(line.msg).includes("kept and retried"))).toBe(true);
    writer.close();
  });
});
