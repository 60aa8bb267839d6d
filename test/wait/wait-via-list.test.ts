import { describe, expect, it } from "vitest";
import type { WaitForSessionOptions, WaitTarget } from "../../src/wait/types.js";
import { WaitError } from "../../src/wait/wait-error.js";
import { waitForSession } from "../../src/wait/wait-for-sessions.js";
import { KEY, sessionRef, useFakeApiForFile } from "./fixtures.js";

const fake = useFakeApiForFile();

const INTERVAL_MS = 200;
const wait = (sessions: WaitTarget[], options: Partial<WaitForSessionOptions> = {}) =>
  waitForSession({
    sessions,
    apiKey: KEY,
    baseUrl: fake.api().url,
    dispatcher: fake.dispatcher(),
    intervalMs: INTERVAL_MS,
    jitter: 0,
    timeoutMs: 4_000,
    requestTimeoutMs: 1_000,
    ...options,
  });

const requestsOf = (project: string) =>
  fake
    .api()
    .requestLog()
    .filter((entry) => entry.project?.projectName === project);

describe("waitForSession with several sessions of one project", () => {
  it("uses one list request per interval for the project and none per session", async () => {
    const project = "list-wait";
    const refs = ["user-1", "user-2", "user-3"].map((id) => sessionRef(id, project));
    fake.api().setStatus(refs[0]!, "READY");
    fake.api().setTimeline(refs[1]!, [{ status: "PENDING", forMs: 900 }, { status: "READY" }]);
    fake.api().setTimeline(refs[2]!, [{ status: "PENDING", forMs: 600 }, { status: "READY" }]);
    const report = await wait(refs);
    expect(report.sessions.map((s) => [s.authSessionId, s.status, s.reached])).toEqual([
      ["user-1", "READY", true],
      ["user-2", "READY", true],
      ["user-3", "READY", true],
    ]);
    const requests = requestsOf(project);
    expect(requests.every((entry) => entry.kind === "list")).toBe(true);
    // About 900 ms at one list per 200 ms: 5 or 6 lists, never one per session (15+).
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(requests.length).toBeLessThanOrEqual(8);
  });

  it("ends early when a session is missing from the project's list, as its own 404 would", async () => {
    const project = "list-wait-gone";
    fake.api().setStatus(sessionRef("here", project), "PENDING");
    const error = await wait([sessionRef("here", project), sessionRef("gone", project)]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).reason).toBe("ended_early");
    expect((error as WaitError).report.sessions[1]).toMatchObject({
      authSessionId: "gone",
      status: "NOT_FOUND",
    });
  });

  it("keeps one GET per session for a session alone in its project", async () => {
    const a = sessionRef("solo-1", "solo-a");
    const b = sessionRef("solo-2", "solo-b");
    fake.api().setStatus(a, "READY");
    fake.api().setStatus(b, "READY");
    await wait([a, b]);
    expect([...requestsOf("solo-a"), ...requestsOf("solo-b")].map((entry) => entry.kind)).toEqual([
      "get",
      "get",
    ]);
  });

  it("records a failing list against every session of the project and retries it", async () => {
    const project = "list-wait-flaky";
    const refs = [sessionRef("f-1", project), sessionRef("f-2", project)];
    for (const ref of refs) fake.api().setStatus(ref, "READY");
    fake.api().injectFault({
      kind: "status",
      status: 503,
      count: 2,
      project: { workspaceId: refs[0]!.workspaceId, projectName: project },
    });
    const report = await wait(refs);
    expect(report.sessions.every((s) => s.reached)).toBe(true);
    expect(requestsOf(project).map((entry) => entry.status)).toEqual([503, 503, 200]);
  });
});
