import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import { startWatchProcess, type WatchProcess } from "../helpers/watch-process.js";
import { type Receiver, startReceiver } from "../sinks/receiver.js";

const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-wall-clock-1111";
const PRELOAD = fileURLToPath(new URL("../helpers/step-wall-clock.mjs", import.meta.url));
const HOUR = 3_600_000;

let api: FakeIntunedApi;
beforeAll(async () => {
  api = await startFakeIntunedApi({ apiKeys: [KEY] });
});
afterAll(async () => {
  await api.close();
});

interface Setup {
  watch: WatchProcess;
  receiver: Receiver;
  /** Steps the child's wall clock by `ms` (from its real time) and waits until it took effect. */
  stepWall(ms: number): Promise<void>;
  /** Event types the receiver got, with the status it answered. */
  answered: { type: string; status: number }[];
  /** Answer 503 to the next `n` requests. */
  refuseNext(n: number, onFirst?: () => void): void;
}

async function setUp(id: string): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-wall-"));
  const offsetFile = join(dir, "wall-offset");
  const answered: Setup["answered"] = [];
  let refusals = 0;
  let onFirstRefusal: (() => void) | undefined;
  const receiver = await startReceiver((request, response) => {
    const status = refusals > 0 ? 503 : 200;
    if (refusals > 0) {
      refusals--;
      onFirstRefusal?.();
      onFirstRefusal = undefined;
    }
    answered.push({ type: (JSON.parse(request.body) as { type: string }).type, status });
    response.writeHead(status).end();
  });
  onTestFinished(() => receiver.close());
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: "200ms", jitter: 0 },
      sessions: [{ project: "proj", id }],
      sinks: [{ name: "hook", type: "webhook", url: `${receiver.origin}/hook` }],
    }),
  );
  const watch = startWatchProcess(
    ["-c", join(dir, "watchlist.json")],
    {
      INTUNED_API_BASE_URL: api.url,
      INTUNED_API_KEY: KEY,
      NODE_OPTIONS: `--import ${PRELOAD}`,
      AUTHWATCH_TEST_WALL_OFFSET_FILE: offsetFile,
    },
    dir,
  );
  onTestFinished(async () => {
    watch.child.kill("SIGKILL");
    await watch.exited;
  });
  const stepWall = async (ms: number) => {
    writeFileSync(offsetFile, String(ms));
    watch.child.kill("SIGUSR2");
    await expect.poll(() => watch.stderr(), { timeout: 5_000 }).toContain(`wall clock stepped ${ms}`);
  };
  const refuseNext = (n: number, onFirst?: () => void) => {
    refusals = n;
    onFirstRefusal = onFirst;
  };
  return { watch, receiver, stepWall, answered, refuseNext };
}

const ref = (authSessionId: string) => ({ workspaceId: WORKSPACE, projectName: "proj", authSessionId });

describe("a wall-clock step under a running daemon", () => {
  it("stepped back an hour, polls and delivery retries go on at their usual pace", async () => {
    api.setStatus(ref("step-back"), "READY");
    const { answered, stepWall, refuseNext } = await setUp("step-back");
    await expect
      .poll(() => answered, { timeout: 15_000 })
      .toContainEqual({ type: "authsession.ready", status: 200 });

    await stepWall(-HOUR);
    // Every quick retry and the first persisted retry (about 5 s later) are refused; the next one passes.
    refuseNext(3);
    api.setStatus(ref("step-back"), "EXPIRED");
    await expect
      .poll(() => answered, { timeout: 20_000, interval: 200 })
      .toContainEqual({ type: "authsession.expired", status: 200 });
    expect(answered.filter((entry) => entry.type === "authsession.expired").map((e) => e.status)).toEqual([
      503, 503, 503, 200,
    ]);
  });

  it("stepped forward 25 hours mid-delivery, a fresh event is retried, not dead-lettered", async () => {
    api.setStatus(ref("step-forward"), "READY");
    const { watch, answered, stepWall, refuseNext } = await setUp("step-forward");
    await expect
      .poll(() => answered, { timeout: 15_000 })
      .toContainEqual({ type: "authsession.ready", status: 200 });

    let stepped: Promise<void> | undefined;
    refuseNext(3, () => {
      stepped = stepWall(25 * HOUR);
    });
    api.setStatus(ref("step-forward"), "EXPIRED");
    await expect
      .poll(() => answered, { timeout: 20_000, interval: 200 })
      .toContainEqual({ type: "authsession.expired", status: 200 });
    await stepped;
    expect(watch.lines().some((line) => String(line.msg).includes("dead-lettered"))).toBe(false);
  });
});
