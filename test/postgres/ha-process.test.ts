import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";
import { parsePrometheusText } from "../helpers/prometheus.js";
import { runCliProcess } from "../helpers/run-cli-process.js";
import {
  createHaGroup,
  expectNoLossNoDoubles,
  type Instance,
  isAlive,
  keepChanging,
  receivedIds,
  settle,
} from "./ha-pair.js";

noteWhenPostgresMissing("test/postgres/ha-process.test.ts");

const TTL_MS = 1_500;
const TTL = `${TTL_MS}ms`;

const polls = (instance: Instance) => instance.api.stats().requests;

async function leaderGauge(instance: Instance): Promise<number | undefined> {
  const text = await (await fetch(`${await instance.statusUrl()}/metrics`)).text();
  return parsePrometheusText(text).find((sample) => sample.name === "authwatch_leader")?.value;
}

// Real processes, a real database and real lease timings on a loaded machine: generous bounds.
describe.skipIf(!postgresAvailable)(
  "authwatch watch on PostgreSQL: a leader and standbys",
  { timeout: 90_000 },
  () => {
    const cluster = usePostgresCluster();

    it("starts two instances at the same instant on an empty database: one leads, the other calls neither API nor sink, and history reads the shared database", async () => {
      const group = await createHaGroup(cluster(), { sessionIds: ["ses-a1", "ses-a2"], leaseTtl: TTL });
      group.setStatus("ses-a1", "READY");
      const [a, b] = await Promise.all([group.start("a"), group.start("b")]);
      const leader = await group.leader();
      const standby = leader === a ? b : a;
      expect(await standby.health()).toMatchObject({ ok: true, role: "standby" });
      expect(await leader.health()).toMatchObject({ ok: true, role: "leader" });
      expect(await leaderGauge(leader)).toBe(1);
      expect(await leaderGauge(standby)).toBe(0);
      await expect.poll(() => leader.receiver.requests.length, { timeout: 10_000 }).toBe(2);
      group.setStatus("ses-a2", "READY");
      await expect.poll(() => leader.receiver.requests.length, { timeout: 10_000 }).toBe(3);
      expect(polls(standby)).toBe(0);
      expect(standby.receiver.requests).toHaveLength(0);
      await expectNoLossNoDoubles(
        group,
        new Map([
          ["ses-a1", "READY"],
          ["ses-a2", "READY"],
        ]),
      );
      // `history` reads the shared database, and says which one without its password.
      const history = await runCliProcess(["history", "--json", "-c", join(group.dir, "watchlist.json")], {
        env: { AUTHWATCH_DATABASE_URL: group.databaseUrl.replace("postgres@", "postgres:pw-s3cret@") },
        cwd: group.dir,
      });
      expect(history.stderr).toBe(
        `authwatch: events from ${group.databaseUrl.replace("postgres@", "postgres:***@")}\n`,
      );
      const events = (
        JSON.parse(history.stdout) as {
          events: { type: string; deliveries: { sink: string; status: string }[] }[];
        }
      ).events;
      expect(events.map((event) => event.type).sort()).toEqual([
        "authsession.pending",
        "authsession.ready",
        "authsession.ready",
      ]);
      expect(events.at(-1)?.deliveries).toEqual([
        expect.objectContaining({ sink: "hook", status: "delivered" }),
      ]);
    });

    it("survives kill -9 of the leader mid-transitions and deliveries: the standby takes over, nothing lost, nothing doubled", async () => {
      const group = await createHaGroup(cluster(), {
        sessionIds: ["ses-k1", "ses-k2", "ses-k3"],
        leaseTtl: TTL,
        receiverDelayMs: 40,
      });
      await Promise.all([group.start("a"), group.start("b")]);
      const leader = await group.leader();
      const stopChanging = keepChanging(group);
      await expect.poll(() => leader.receiver.requests.length, { timeout: 15_000 }).toBeGreaterThan(6);
      leader.process.child.kill("SIGKILL");
      const killedAt = performance.now();
      const next = await group.leader();
      expect(next).not.toBe(leader);
      await expect.poll(() => polls(next), { timeout: 2 * TTL_MS + 5_000 }).toBeGreaterThan(0);
      // Two TTLs, plus slack for a loaded machine; `npm run bench` measures it (failoverMs).
      expect(performance.now() - killedAt).toBeLessThan(2 * TTL_MS + 3_000);
      await expect.poll(() => next.receiver.requests.length, { timeout: 15_000 }).toBeGreaterThan(3);
      stopChanging();
      await expectNoLossNoDoubles(group, await settle(group));
    });

    it("fences a leader paused past its lease: after SIGCONT it polls, stores and sends nothing, and stands by", async () => {
      const group = await createHaGroup(cluster(), {
        sessionIds: ["ses-p1", "ses-p2"],
        leaseTtl: TTL,
        receiverDelayMs: 20,
      });
      await Promise.all([group.start("a"), group.start("b")]);
      const paused = await group.leader();
      const stopChanging = keepChanging(group);
      await expect.poll(() => paused.receiver.requests.length, { timeout: 15_000 }).toBeGreaterThan(4);
      paused.process.child.kill("SIGSTOP");
      const next = await group.leader();
      await expect.poll(() => next.receiver.requests.length, { timeout: 15_000 }).toBeGreaterThan(2);
      const pollsBefore = polls(paused);
      const sentBefore = paused.receiver.requests.length;
      paused.process.child.kill("SIGCONT");
      await paused.process.waitForLine((line) => line.msg === "stepping down to standby", 10_000);
      expect(await paused.health()).toMatchObject({ ok: true, role: "standby" });
      // Its term as leader ended, the process did not: the log must not say it stopped.
      const info = (line: Record<string, unknown>) => Number(line.level) >= 30;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(paused.process.lines().filter((line) => info(line) && line.msg === "authwatch stopped")).toEqual(
        [],
      );
      // Transitions keep coming; only the new leader may act on them.
      await new Promise((resolve) => setTimeout(resolve, 2 * TTL_MS));
      expect(polls(paused)).toBe(pollsBefore);
      expect(paused.receiver.requests.length).toBe(sentBefore);
      expect(isAlive(paused)).toBe(true);
      stopChanging();
      await expectNoLossNoDoubles(group, await settle(group));
      // A leader told to stop says so once, after "stopping": its term's end is not the process's.
      next.process.child.kill("SIGTERM");
      await next.process.exited;
      const lifecycle = next.process
        .lines()
        .filter(info)
        .map((line) => line.msg)
        .filter((msg) => msg === "stopping" || msg === "authwatch stopped");
      expect(lifecycle).toEqual(["stopping", "authwatch stopped"]);
    });

    it("rides out a PostgreSQL restart under a running pair: both stay up, one leads again, nothing lost or doubled", async () => {
      const group = await createHaGroup(cluster(), { sessionIds: ["ses-r1", "ses-r2"], leaseTtl: TTL });
      const [a, b] = await Promise.all([group.start("a"), group.start("b")]);
      await group.leader();
      const stopChanging = keepChanging(group, 200);
      await expect.poll(() => receivedIds(group).length, { timeout: 15_000 }).toBeGreaterThan(4);
      await cluster().stop();
      await new Promise((resolve) => setTimeout(resolve, TTL_MS));
      await cluster().start();
      const leader = await group.leader();
      const sent = leader.receiver.requests.length;
      await expect.poll(() => leader.receiver.requests.length, { timeout: 20_000 }).toBeGreaterThan(sent + 2);
      expect([isAlive(a), isAlive(b)], a.process.stderr() + b.process.stderr()).toEqual([true, true]);
      stopChanging();
      await expectNoLossNoDoubles(group, await settle(group));
    });
  },
);
