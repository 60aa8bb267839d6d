import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect, onTestFinished } from "vitest";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { PostgresCluster } from "../helpers/postgres-cluster.js";
import { startWatchProcess, type WatchProcess } from "../helpers/watch-process.js";
import { type Receiver, startReceiver } from "../sinks/receiver.js";

export const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
const KEY = "sk-test-SECRET-ha-4242";
export const ref = (authSessionId: string) => ({
  workspaceId: WORKSPACE,
  projectName: "proj",
  authSessionId,
});

/**
 * One `authwatch watch` of an HA group, with its OWN fake Intuned API and webhook receiver, so a test
 * can tell which instance polled and which delivered. The fakes of a group always agree on statuses.
 */
export interface Instance {
  name: string;
  process: WatchProcess;
  api: FakeIntunedApi;
  receiver: Receiver;
  /** Base URL of its /healthz and /metrics. */
  statusUrl(): Promise<string>;
  health(): Promise<{ ok: boolean; role: string }>;
}

export interface HaGroup {
  databaseUrl: string;
  dir: string;
  sessionIds: string[];
  instances: Instance[];
  start(name: string): Promise<Instance>;
  /** Sets a session's status on every instance's fake API. */
  setStatus(id: string, status: string): void;
  query<R extends pg.QueryResultRow>(sql: string): Promise<R[]>;
  leader(): Promise<Instance>;
}

/** A database, a watchlist on it (lease `leaseTtl`) and a way to start instances; all cleaned up after the test. */
export async function createHaGroup(
  cluster: PostgresCluster,
  options: { sessionIds: string[]; leaseTtl: string; interval?: string; receiverDelayMs?: number },
): Promise<HaGroup> {
  const databaseUrl = await cluster.createDatabase();
  const dir = mkdtempSync(join(tmpdir(), "authwatch-ha-"));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on("error", () => undefined);
  const statuses = new Map<string, string>(options.sessionIds.map((id) => [id, "PENDING"]));
  writeFileSync(
    join(dir, "watchlist.json"),
    JSON.stringify({
      api: { workspaceId: WORKSPACE, timeout: "1s" },
      defaults: { interval: options.interval ?? "100ms", jitter: 0 },
      sessions: options.sessionIds.map((id) => ({ project: "proj", id })),
      sinks: [
        { name: "log", type: "console" },
        { name: "hook", type: "webhook", urlEnv: "HOOK_URL" },
      ],
      state: { postgres: { leaseTtl: options.leaseTtl } },
    }),
  );
  const instances: Instance[] = [];
  onTestFinished(async () => {
    for (const instance of instances) {
      if (instance.process.child.exitCode === null && instance.process.child.signalCode === null) {
        instance.process.child.kill("SIGCONT");
        instance.process.child.kill("SIGKILL");
        await instance.process.exited;
      }
      await instance.api.close();
      await instance.receiver.close();
    }
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const group: HaGroup = {
    databaseUrl,
    dir,
    sessionIds: options.sessionIds,
    instances,
    async start(name) {
      const api = await startFakeIntunedApi({ apiKeys: [KEY] });
      for (const [id, status] of statuses) api.setStatus(ref(id), status);
      const delay = options.receiverDelayMs ?? 0;
      const receiver = await startReceiver((_, response) => {
        setTimeout(() => response.writeHead(200).end(), delay);
      });
      const process = startWatchProcess(
        ["-c", join(dir, "watchlist.json"), "--listen", "127.0.0.1:0", "--log-level", "debug"],
        {
          INTUNED_API_BASE_URL: api.url,
          INTUNED_API_KEY: KEY,
          AUTHWATCH_DATABASE_URL: databaseUrl,
          HOOK_URL: `${receiver.origin}/hook`,
        },
        dir,
      );
      const statusUrl = async () => {
        const line = await process.waitForLine(
          (l) => l.msg === "authwatch is standing by for the lease",
          20_000,
        );
        return String(line.listen);
      };
      const instance: Instance = {
        name,
        process,
        api,
        receiver,
        statusUrl,
        async health() {
          // A stopped process answers nothing: give up rather than hang.
          const response = await fetch(`${await statusUrl()}/healthz`, {
            signal: AbortSignal.timeout(1_000),
          });
          return (await response.json()) as { ok: boolean; role: string };
        },
      };
      instances.push(instance);
      return instance;
    },
    setStatus(id, status) {
      statuses.set(id, status);
      for (const instance of instances) instance.api.setStatus(ref(id), status);
    },
    async query(sql) {
      return (await pool.query(sql)).rows;
    },
    async leader() {
      let found: Instance | undefined;
      await expect
        .poll(
          async () => {
            const alive = instances.filter(
              (i) => i.process.child.exitCode === null && !i.process.child.signalCode,
            );
            const roles = await Promise.all(
              alive.map((i) =>
                i
                  .health()
                  .then((h) => h.role)
                  .catch(() => "down"),
              ),
            );
            found = alive[roles.indexOf("leader")];
            return roles.filter((role) => role === "leader").length;
          },
          { timeout: 20_000, interval: 100 },
        )
        .toBe(1);
      return found!;
    },
  };
  return group;
}

/** Cycles every session through the statuses while the returned function is not called. */
export function keepChanging(group: HaGroup, everyMs = 150): () => void {
  const cycle = ["READY", "EXPIRED", "PENDING"];
  let step = 0;
  const timer = setInterval(() => {
    step++;
    group.sessionIds.forEach((id, i) => {
      group.setStatus(id, cycle[(step + i) % cycle.length]!);
    });
  }, everyMs);
  onTestFinished(() => clearInterval(timer));
  return () => clearInterval(timer);
}

/** Sets every session to READY and waits until the database says so. */
export async function settle(group: HaGroup): Promise<Map<string, string>> {
  const final = new Map(group.sessionIds.map((id) => [id, "READY"]));
  for (const id of group.sessionIds) group.setStatus(id, "READY");
  await expect
    .poll(
      async () =>
        (await group.query<{ status: string }>("SELECT status FROM authwatch.sessions")).map(
          (row) => row.status,
        ),
      { timeout: 20_000 },
    )
    .toEqual(group.sessionIds.map(() => "READY"));
  return final;
}

export const isAlive = (instance: Instance) =>
  instance.process.child.exitCode === null && instance.process.child.signalCode === null;

/** Webhook ids each receiver of the group got, all together. */
export function receivedIds(group: HaGroup): string[] {
  return group.instances.flatMap((instance) =>
    instance.receiver.requests.map((request) => String(request.headers["webhook-id"])),
  );
}

interface StoredTransition {
  event_id: string;
  session_key: string;
  body: string;
}

/**
 * What users fear, checked on the stored history: per session, each transition starts where the one
 * before ended (a transition stored twice under two ids, or one lost, breaks the chain), the last
 * one ends at the API's status, every stored event reached the receivers under its own id, and the
 * receivers got no id that is not a stored event.
 */
export async function expectNoLossNoDoubles(group: HaGroup, finalStatus: Map<string, string>): Promise<void> {
  const rows = await group.query<StoredTransition>(
    `SELECT event_id, session_key, body FROM authwatch.events
     WHERE type LIKE 'authsession.%' AND type NOT LIKE 'authsession.poll_%' ORDER BY seq`,
  );
  const last = new Map<string, string>();
  for (const row of rows) {
    const data = (JSON.parse(row.body) as { data: { from: string | null; to: string } }).data;
    expect(data.from, `chain of ${row.session_key} at ${row.event_id}`).toBe(
      last.get(row.session_key) ?? null,
    );
    last.set(row.session_key, data.to);
  }
  for (const [id, status] of finalStatus) expect(last.get(`${WORKSPACE}/proj/${id}`)).toBe(status);
  await expect
    .poll(
      async () =>
        (
          await group.query<{ n: string }>(
            "SELECT count(*) AS n FROM authwatch.deliveries WHERE status = 'pending'",
          )
        )[0]?.n,
      { timeout: 20_000 },
    )
    .toBe("0");
  const hooked = await group.query<{ event_id: string }>(
    "SELECT e.event_id FROM authwatch.events e JOIN authwatch.deliveries d ON d.event_seq = e.seq WHERE d.sink = 'hook'",
  );
  const stored = new Set(hooked.map((row) => row.event_id));
  const received = new Set(receivedIds(group));
  expect([...received].filter((id) => !stored.has(id))).toEqual([]);
  expect([...stored].filter((id) => !received.has(id))).toEqual([]);
}
