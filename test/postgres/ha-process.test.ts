import { describe, expect, it } from "vitest";
import {
  noteWhenPostgresMissing,
  postgresAvailable,
  usePostgresCluster,
} from "../helpers/postgres-cluster.js";
import { parsePrometheusText } from "../helpers/prometheus.js";
import { createHaGroup, expectNoLossNoDoubles, type Instance } from "./ha-pair.js";

noteWhenPostgresMissing("test/postgres/ha-process.test.ts");

const TTL_MS = 1_500;
const TTL = `${TTL_MS}ms`;

const polls = (instance: Instance) => instance.api.stats().requests;

async function leaderGauge(instance: Instance): Promise<number | undefined> {
  const text = await (await fetch(`${await instance.statusUrl()}/metrics`)).text();
  return parsePrometheusText(text).find((sample) => sample.name === "authwatch_leader")?.value;
}

describe.skipIf(!postgresAvailable)("authwatch watch on PostgreSQL: a leader and standbys", () => {
  const cluster = usePostgresCluster();

  it("starts two instances at the same instant on an empty database: one leads, the other calls neither API nor sink", async () => {
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
  });
});
