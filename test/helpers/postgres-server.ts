import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, chownSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** Debian's layout; PG_BIN overrides it (e.g. another major or a Homebrew prefix). */
const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** True when initdb and pg_ctl are here; tests that need PostgreSQL skip (with a note) otherwise. */
export const postgresAvailable: boolean = (() => {
  try {
    accessSync(join(PG_BIN, "initdb"), constants.X_OK);
    accessSync(join(PG_BIN, "pg_ctl"), constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** Call at the top of a PostgreSQL test file: prints why its tests are skipped. */
export function noteWhenPostgresMissing(file: string): void {
  if (!postgresAvailable) {
    console.warn(
      `SKIPPED ${file}: PostgreSQL server binaries not found in ${PG_BIN} (install postgresql, or set PG_BIN)`,
    );
  }
}

export interface PostgresCluster {
  readonly port: number;
  /** The superuser's URL of database `postgres` on 127.0.0.1 (trust auth, no password). */
  readonly adminUrl: string;
  /** A fresh, empty database for one test; dropped when the cluster stops. */
  createDatabase(): Promise<string>;
  /** Stops the server at once (like a crash: -m immediate); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** Runs a server binary as the `postgres` user when we are root (initdb and pg_ctl refuse root). */
async function asPostgres(binary: string, args: readonly string[]): Promise<void> {
  const path = join(PG_BIN, binary);
  const isRoot = process.getuid?.() === 0;
  const [command, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, [...args]];
  await run(command, argv, { timeout: 60_000 });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * A throwaway PostgreSQL cluster in a temp folder on a free loopback port: one per test file (about
 * a second to create), a database per test. Tuned for tests (fsync off), never for data that matters.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), "authwatch-pg-"));
  const data = join(dir, "data");
  if (process.getuid?.() === 0) {
    const { uid, gid } = await lookupPostgresUser();
    chownSync(dir, uid, gid);
  }
  await asPostgres("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--no-sync",
    "--no-instructions",
    "-E",
    "UTF8",
  ]);
  let port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c full_page_writes=off",
    "-c shared_buffers=16MB",
    "-c max_connections=60",
  ].join(" ");
  const start = () =>
    asPostgres("pg_ctl", ["start", "-w", "-t", "60", "-D", data, "-l", join(dir, "log"), "-o", options]);
  const stop = () => asPostgres("pg_ctl", ["stop", "-m", "immediate", "-w", "-D", data]);
  try {
    await start();
  } catch (error) {
    // Another process took the port between our probe and the start: once more, on a new port.
    port = await freePort();
    await start().catch(() => {
      throw error;
    });
  }
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    port,
    adminUrl,
    async createDatabase() {
      const name = `t_${randomBytes(6).toString("hex")}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (!running) return;
      await stop();
      running = false;
    },
    async start() {
      if (running) return;
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function lookupPostgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run("id", ["postgres"]);
  const uid = /uid=(\d+)/.exec(stdout)?.[1];
  const gid = /gid=(\d+)/.exec(stdout)?.[1];
  if (uid === undefined || gid === undefined) throw new Error("no postgres user on this machine");
  return { uid: Number(uid), gid: Number(gid) };
}
