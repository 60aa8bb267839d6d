import { describe, expect, it } from "vitest";
import type { AuthwatchEvent } from "../../src/events.js";
import { startDaemonHarness, TEST_KEY, TEST_WORKSPACE } from "../helpers/daemon-harness.js";

const ref = (authSessionId: string) => ({ workspaceId: TEST_WORKSPACE, projectName: "proj", authSessionId });
const typesOf = (events: readonly AuthwatchEvent[]) => events.map((event) => event.type);
const WAIT = { timeout: 15_000, interval: 50 };

describe("watcher.authorized", () => {
  it("follows watcher.unauthorized when the refused key is accepted again; both name the key's source, never the key", async () => {
    const { api, daemon, events, loadConfig, log } = await startDaemonHarness({
      sessions: [{ ...ref("auth-1"), timeline: [{ status: "READY" }] }],
    });
    await expect.poll(() => typesOf(events), WAIT).toEqual(["authsession.ready"]);
    api.setKeyValid(TEST_KEY, false);
    await expect.poll(() => typesOf(events), WAIT).toContain("watcher.unauthorized");
    const rotated = "sk-test-ROTATED-authorized-6161";
    api.setKeyValid(rotated, true);
    daemon.reload(loadConfig({ INTUNED_API_KEY: rotated }));
    await expect
      .poll(() => typesOf(events), WAIT)
      .toEqual(["authsession.ready", "watcher.unauthorized", "watcher.authorized"]);
    const [, refused, accepted] = events;
    expect(refused?.data).toMatchObject({ workspaceId: TEST_WORKSPACE, keySource: "env INTUNED_API_KEY" });
    expect(accepted?.data).toMatchObject({ workspaceId: TEST_WORKSPACE, keySource: "env INTUNED_API_KEY" });
    expect(JSON.stringify(events)).not.toContain(TEST_KEY);
    expect(JSON.stringify(events)).not.toContain(rotated);
    expect(log.text()).not.toContain(rotated);
  });
});

describe("watcher.authorized after a restart", () => {
  it("announces a key refused before the restart as accepted once it works again", async () => {
    const first = await startDaemonHarness({
      sessions: [{ ...ref("auth-2"), timeline: [{ status: "READY" }] }],
    });
    await expect.poll(() => typesOf(first.events), WAIT).toEqual(["authsession.ready"]);
    first.api.setKeyValid(TEST_KEY, false);
    await expect.poll(() => typesOf(first.events), WAIT).toContain("watcher.unauthorized");
    await first.stop();

    first.api.setKeyValid(TEST_KEY, true);
    const second = await startDaemonHarness({ sessions: [], api: first.api, dir: first.dir });
    await expect.poll(() => typesOf(second.events), WAIT).toEqual(["watcher.authorized"]);
    expect(second.events[0]?.data).toMatchObject({ keySource: "env INTUNED_API_KEY" });
  }, 30_000);
});
